import type { Conversation } from './conversations.js';
import type { DemoCustomer } from './demo-customers.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function messageItem(m: Conversation['messages'][number]): string {
  const status = m.direction === 'to-customer' ? `<span class="status" data-testid="status">${escapeHtml(m.status)}${m.errorCode ? ` (${m.errorCode})` : ''}</span>` : '';
  return `<li class="${m.direction}" data-sid="${escapeHtml(m.sid)}"><span class="body">${escapeHtml(m.body)}</span>${status}</li>`;
}

function meta(phone: string, businessNumber: string, optedOut: boolean): string {
  return `${escapeHtml(phone)} with ${escapeHtml(businessNumber)}${optedOut ? ' · opted out' : ''}`;
}

function replyForm(phone: string): string {
  return `<form class="reply"><input name="body" aria-label="Reply as ${escapeHtml(phone)}" placeholder="Reply as the customer" autocomplete="off"><button class="send">Send</button>
  <button type="button" class="quick" data-body="STOP" title="Opt out: ends every follow-up">STOP</button><button type="button" class="quick" data-body="C" title="Confirm the appointment">C</button></form>`;
}

function section(attrs: string, who: string, c: Pick<Conversation, 'phone' | 'businessNumber' | 'optedOut' | 'messages'>, extra = '', kind = who ? 'customer' : ''): string {
  return `<section class="phone${kind ? ` ${kind}` : ''}" data-phone="${escapeHtml(c.phone)}" data-business="${escapeHtml(c.businessNumber)}"${attrs}>
  <h2>${who ? `<span class="who">${who}</span> ` : ''}<small class="meta">${meta(c.phone, c.businessNumber, c.optedOut)}</small></h2>${extra}
  <ol class="messages">${c.messages.map(messageItem).join('')}</ol>
  ${replyForm(c.phone)}
</section>`;
}

export function conversationRow(c: Conversation): string {
  return section('', '', c);
}

/** The demo office's phone: Fieldhand forwards customers' replies to it; its own texts are the office's, not a customer's. */
function officeRow(phone: string, businessNumber: string, conversation: Conversation | undefined): string {
  const c = conversation ?? { phone, businessNumber, optedOut: false, messages: [] };
  return section('', 'The office <small>alerts: customers\' replies are forwarded here</small>', c, '', 'office');
}

const CUSTOMER_ACTIONS = `
  <div class="actions">
    <button type="button" data-action="estimate">Create a $2,500 estimate</button>
    <span class="appointment"><button type="button" data-action="appointment">Book an appointment</button> in <input name="minutes" type="number" min="0" max="43200" value="30" aria-label="minutes from now"> min</span>
  </div>
  <p class="note" role="status"></p>`;

function customerRow(customer: DemoCustomer, conversation: Conversation | undefined): string {
  const c = conversation ?? { phone: customer.phone, businessNumber: customer.businessNumber, optedOut: false, messages: [] };
  const attrs = ` data-customer="${customer.customerId}" data-job="${customer.jobId}" data-tenant="${customer.stTenantId}"`;
  return section(attrs, `${escapeHtml(customer.name)} <small>${escapeHtml(customer.city)}, ${escapeHtml(customer.state)}</small>`, c, CUSTOMER_ACTIONS);
}

const INTRO = `<p class="intro">These customers are in the sandbox's ServiceTitan, and Fieldhand syncs them.
<b>Create an estimate</b> over $1,000: the next sync pass (about every 30 s) starts the follow-up, and its
first text arrives here about a minute later, the next ones 2 and 4 minutes after that.
<b>Book an appointment</b> 30 minutes out: the next sync pass brings it into Fieldhand, and the demo
tenant's reminders (25 and 5 minutes before) arrive here; press <b>C</b> to confirm the visit in ServiceTitan.
<b>Reply</b> as the customer: STOP ends every follow-up; anything else is a reply, which stops the follow-up
too, and is forwarded to <b>the office</b>'s phone at the top (at most 5 texts a minute there, the rest in one summary). Texts go out only between 08:00 and 21:00 in the customer's time zone; outside those hours
they wait for the morning, as they would for real.</p>`;

// Polls the JSON endpoint and re-renders each row's messages; reply boxes are left alone
// so typing is not interrupted. Replies go through the signed inbound webhook path;
// the buttons change the demo ServiceTitan through the sandbox's control routes.
const SCRIPT = `
const list = document.getElementById('conversations');
function esc(t){const d=document.createElement('div');d.textContent=t;return d.innerHTML;}
function item(m){return '<li class="'+m.direction+'" data-sid="'+esc(m.sid)+'"><span class="body">'+esc(m.body)+'</span>'+(m.direction==='to-customer'?'<span class="status" data-testid="status">'+esc(m.status)+(m.errorCode?' ('+m.errorCode+')':'')+'</span>':'')+'</li>';}
function row(c){const s=document.createElement('section');s.className='phone';s.dataset.phone=c.phone;s.dataset.business=c.businessNumber;
 s.innerHTML='<h2><small class="meta"></small></h2><ol class="messages"></ol><form class="reply"><input name="body" placeholder="Reply as the customer" autocomplete="off"><button class="send">Send</button> <button type="button" class="quick" data-body="STOP">STOP</button><button type="button" class="quick" data-body="C">C</button></form>';
 s.querySelector('input').setAttribute('aria-label','Reply as '+c.phone);return s;}
async function refresh(){
 const r=await fetch('/_sandbox/phone/conversations');if(!r.ok)return;const cs=await r.json();
 document.getElementById('empty').hidden=cs.length>0||list.querySelector('section.customer,section.office')!==null;
 for(const c of cs){let s=list.querySelector('section[data-phone="'+CSS.escape(c.phone)+'"]');if(!s){s=row(c);list.append(s);}
  s.dataset.business=c.businessNumber;s.querySelector('.meta').innerHTML=esc(c.phone)+' with '+esc(c.businessNumber)+(c.optedOut?' · opted out':'');
  s.querySelector('ol').innerHTML=c.messages.map(item).join('');}
}
async function reply(s,body){await fetch('/_sandbox/twilio/inbound',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({from:s.dataset.phone,to:s.dataset.business,body})});refresh();}
async function control(path,body){const r=await fetch('/_sandbox/servicetitan/'+path,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)});
 const out=await r.json().catch(()=>({}));if(!r.ok)throw new Error(out.error||('HTTP '+r.status));return out;}
function when(iso){return new Date(iso).toLocaleTimeString([], {hour:'numeric',minute:'2-digit'});}
list.addEventListener('submit',(e)=>{e.preventDefault();const f=e.target;const input=f.querySelector('input');
 const body=input.value.trim();if(!body)return;input.value='';reply(f.closest('section'),body);});
list.addEventListener('click',async(e)=>{const b=e.target.closest('button');if(!b)return;const s=b.closest('section');
 if(b.classList.contains('quick')){reply(s,b.dataset.body);return;}
 const note=s.querySelector('.note');if(!b.dataset.action||!note)return;
 try{
  if(b.dataset.action==='estimate'){
   const est=await control(s.dataset.tenant+'/estimates',{jobId:Number(s.dataset.job),name:'Heat pump replacement',items:[{description:'Heat pump, 3 ton, installed',unitRate:2500}]});
   note.textContent='Estimate '+est.id+' ($2,500) created. The next sync pass starts the follow-up; its first text arrives about a minute after.';
  }else{
   const minutes=Number(s.querySelector('input[name=minutes]').value||30);
   const appt=await control(s.dataset.tenant+'/appointments',{jobId:Number(s.dataset.job),startsInMinutes:minutes});
   note.textContent='Appointment '+appt.id+' booked for '+when(appt.start)+'. The next sync pass brings it into Fieldhand.';
  }
  note.dataset.state='ok';
 }catch(err){note.textContent='Could not do that: '+err.message;note.dataset.state='error';}
});
setInterval(refresh,1000);
`;

/** GET /phone: the demo's customers, every phone the sandbox has texted, and a reply box for each. */
export function phonePage(conversations: Conversation[], customers: DemoCustomer[] = [], officePhone?: string): string {
  const byPhone = new Map(conversations.map((c) => [c.phone, c]));
  const listed = new Set([...customers.map((c) => c.phone), ...(officePhone ? [officePhone] : [])]);
  const office = officePhone && customers[0] ? [officeRow(officePhone, customers[0].businessNumber, byPhone.get(officePhone))] : [];
  const rows = [...office, ...customers.map((customer) => customerRow(customer, byPhone.get(customer.phone))), ...conversations.filter((c) => !listed.has(c.phone)).map(conversationRow)];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox phones</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:2rem;background:#f4f5f7;color:#1d2430;max-width:60rem}
.intro{line-height:1.45;color:#334}
section.phone{background:#fff;border-radius:8px;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px #0002}
h2{font-size:1rem;margin:0 0 .5rem}small{color:#667;font-weight:normal}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:.25rem 0}.actions input{width:4.5rem}
.note{font-size:.85rem;color:#2a6b2a;margin:.25rem 0;min-height:1em}.note[data-state=error]{color:#a33}
ol.messages{list-style:none;padding:0;display:flex;flex-direction:column;gap:.4rem}
li{max-width:70%;padding:.4rem .7rem;border-radius:12px}
li.to-customer{background:#e4e8ee;align-self:flex-start}li.from-customer{background:#2f6fed;color:#fff;align-self:flex-end}
.status{display:block;font-size:.75rem;color:#556}
form.reply{display:flex;gap:.5rem}form.reply input{flex:1;padding:.4rem}
</style></head>
<body><h1>Sandbox phones</h1>
${customers.length > 0 ? INTRO : ''}
<p id="empty"${rows.length > 0 ? ' hidden' : ''}>No texts yet. Messages sent through the Twilio sandbox appear here.</p>
<div id="conversations">${rows.join('\n')}</div>
<script>${SCRIPT}</script>
</body></html>`;
}
