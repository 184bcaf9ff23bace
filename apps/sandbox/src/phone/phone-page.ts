import type { Conversation } from './conversations.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function messageItem(m: Conversation['messages'][number]): string {
  const status = m.direction === 'to-customer' ? `<span class="status" data-testid="status">${escapeHtml(m.status)}${m.errorCode ? ` (${m.errorCode})` : ''}</span>` : '';
  return `<li class="${m.direction}" data-sid="${escapeHtml(m.sid)}"><span class="body">${escapeHtml(m.body)}</span>${status}</li>`;
}

export function conversationRow(c: Conversation): string {
  return `<section class="phone" data-phone="${escapeHtml(c.phone)}" data-business="${escapeHtml(c.businessNumber)}">
  <h2>${escapeHtml(c.phone)} <small>with ${escapeHtml(c.businessNumber)}${c.optedOut ? ' · opted out' : ''}</small></h2>
  <ol class="messages">${c.messages.map(messageItem).join('')}</ol>
  <form class="reply"><input name="body" aria-label="Reply as ${escapeHtml(c.phone)}" placeholder="Reply as the customer (try STOP)" autocomplete="off"><button>Send</button></form>
</section>`;
}

// Polls the JSON endpoint and re-renders each row's messages; reply boxes are left alone
// so typing is not interrupted. Replies go through the signed inbound webhook path.
const SCRIPT = `
const list = document.getElementById('conversations');
function esc(t){const d=document.createElement('div');d.textContent=t;return d.innerHTML;}
function item(m){return '<li class="'+m.direction+'" data-sid="'+esc(m.sid)+'"><span class="body">'+esc(m.body)+'</span>'+(m.direction==='to-customer'?'<span class="status" data-testid="status">'+esc(m.status)+(m.errorCode?' ('+m.errorCode+')':'')+'</span>':'')+'</li>';}
function row(c){const s=document.createElement('section');s.className='phone';s.dataset.phone=c.phone;s.dataset.business=c.businessNumber;
 s.innerHTML='<h2></h2><ol class="messages"></ol><form class="reply"><input name="body" placeholder="Reply as the customer (try STOP)" autocomplete="off"><button>Send</button></form>';
 s.querySelector('input').setAttribute('aria-label','Reply as '+c.phone);return s;}
async function refresh(){
 const r=await fetch('/_sandbox/phone/conversations');if(!r.ok)return;const cs=await r.json();
 document.getElementById('empty').hidden=cs.length>0;
 for(const c of cs){let s=list.querySelector('section[data-phone="'+CSS.escape(c.phone)+'"]');if(!s){s=row(c);list.prepend(s);}
  s.dataset.business=c.businessNumber;s.querySelector('h2').innerHTML=esc(c.phone)+' <small>with '+esc(c.businessNumber)+(c.optedOut?' · opted out':'')+'</small>';
  s.querySelector('ol').innerHTML=c.messages.map(item).join('');}
}
list.addEventListener('submit',async(e)=>{e.preventDefault();const f=e.target;const s=f.closest('section');const input=f.querySelector('input');
 const body=input.value.trim();if(!body)return;input.value='';
 await fetch('/_sandbox/twilio/inbound',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({from:s.dataset.phone,to:s.dataset.business,body})});
 refresh();});
setInterval(refresh,1000);
`;

/** GET /phone: every phone the sandbox has texted, its conversation, and a reply box. */
export function phonePage(conversations: Conversation[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox phones</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:2rem;background:#f4f5f7;color:#1d2430}
section.phone{background:#fff;border-radius:8px;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px #0002}
h2{font-size:1rem;margin:0 0 .5rem}small{color:#667;font-weight:normal}
ol.messages{list-style:none;padding:0;display:flex;flex-direction:column;gap:.4rem}
li{max-width:70%;padding:.4rem .7rem;border-radius:12px}
li.to-customer{background:#e4e8ee;align-self:flex-start}li.from-customer{background:#2f6fed;color:#fff;align-self:flex-end}
.status{display:block;font-size:.75rem;color:#556}
form.reply{display:flex;gap:.5rem}form.reply input{flex:1;padding:.4rem}
</style></head>
<body><h1>Sandbox phones</h1>
<p id="empty"${conversations.length > 0 ? ' hidden' : ''}>No texts yet. Messages sent through the Twilio sandbox appear here.</p>
<div id="conversations">${conversations.map(conversationRow).join('\n')}</div>
<script>${SCRIPT}</script>
</body></html>`;
}
