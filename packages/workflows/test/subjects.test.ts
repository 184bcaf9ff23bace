import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWorkflowRun, stAppointments, stCustomerContacts, stJobs, stLocations, startWorkflowRun, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { dryRun, loadSubject, runStep, saveDefinition, type Definition, type WorkflowDeps } from '../src/index.js';
import { createSmsTenant, logger, newId, quickFollowUp, seedCustomer, seedEstimate } from './support.js';

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let deps: WorkflowDeps;
let tenantId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  deps = { db, bus, logger };
  tenantId = await createSmsTenant(db, 'Subject Heating');
});
afterAll(async () => {
  await bus.close();
  await redis.cleanup();
  await t.drop();
});

const synced = { active: true, modifiedOn: new Date(), raw: {} };

describe('loading a subject from the synced tables', () => {
  it('reads an estimate with its customer, texting the mobile number before a landline', async () => {
    const customerId = await seedCustomer(db, tenantId, { name: 'Pat Lee', phone: null });
    await db.insert(stCustomerContacts).values([
      { tenantId, id: newId(), ...synced, customerId, type: 'Phone', value: '+15125550001', phone: '+15125550001' },
      { tenantId, id: newId(), ...synced, customerId, type: 'MobilePhone', value: '+15125550002', phone: '+15125550002', doNotText: true },
      { tenantId, id: newId(), ...synced, customerId, type: 'MobilePhone', value: '+15125550003', phone: '+15125550003' },
    ]);
    const estimateId = await seedEstimate(db, tenantId, customerId, { subtotal: 1234.5 });
    const subject = await loadSubject(db, tenantId, 'estimate', String(estimateId));
    expect(subject).toMatchObject({ found: true, customerId, phone: '+15125550003' });
    expect(subject.vars).toMatchObject({ estimateId, estimateName: 'New AC', estimateStatus: 'Open', estimateSubtotal: 1234.5, customerName: 'Pat Lee', firstName: 'Pat', companyName: 'Subject Heating' });
  });

  it("reads an appointment with its job's service location", async () => {
    const customerId = await seedCustomer(db, tenantId);
    const locationId = newId();
    const jobId = newId();
    const appointmentId = newId();
    const startsAt = new Date('2031-05-01T14:00:00Z');
    await db.insert(stLocations).values({ tenantId, id: locationId, ...synced, customerId, state: 'TX' });
    await db.insert(stJobs).values({ tenantId, id: jobId, ...synced, customerId, locationId, jobNumber: 'J-1', jobStatus: 'Scheduled', total: '99.00' });
    await db.insert(stAppointments).values({ tenantId, id: appointmentId, ...synced, customerId, jobId, appointmentNumber: 'A-1', status: 'Scheduled', startsAt });
    const appointment = await loadSubject(db, tenantId, 'appointment', String(appointmentId));
    expect(appointment).toMatchObject({ found: true, locationState: 'TX' });
    expect(appointment.vars).toMatchObject({ appointmentId, appointmentNumber: 'A-1', appointmentStart: startsAt.toISOString(), jobId });
    const job = await loadSubject(db, tenantId, 'job', String(jobId));
    expect(job.vars).toMatchObject({ jobId, jobNumber: 'J-1', jobStatus: 'Scheduled', jobTotal: 99, jobCompletedOn: null, locationState: 'TX' });
  });

  it('fails a run whose subject type is unknown instead of reading it as an appointment', async () => {
    const definition = await saveDefinition(db, tenantId, quickFollowUp('odd-subject'));
    const now = new Date();
    const started = await startWorkflowRun(db, {
      run: { tenantId, definitionId: definition.id, definitionKey: definition.key, definitionVersion: 1, subjectType: 'invoice', subjectId: '7', currentStep: 'text-1', nextStepAt: now, startedAt: now },
      firstStepType: 'send_sms',
      scope: { subjectType: 'invoice', subjectId: '7' },
    });
    if (!started.started) throw new Error('expected a run');
    await expect(runStep(deps, { tenantId, runId: started.run.id, stepId: 'text-1' }, { finalAttempt: true })).rejects.toThrow(/unknown workflow subject type invoice/);
    expect(await findWorkflowRun(db, tenantId, started.run.id)).toMatchObject({ status: 'failed' });
  });
});

describe('dry run', () => {
  const withSteps = (steps: unknown[]) => ({ ...quickFollowUp(), reentry: { policy: 'once', per: 'subject' }, stopWhen: [], start: 'a', steps }) as unknown as Omit<Definition, 'version'>;

  it('fails on a step kind it does not know instead of ending the timeline there', async () => {
    const def = withSteps([{ id: 'a', type: 'wait', duration: 'PT1H', next: 'b' }, { id: 'b', type: 'ghl_tag', tag: 'x' }]);
    await expect(dryRun(deps, tenantId, def, '1')).rejects.toThrow(/unknown step kind ghl_tag/);
  });

  it('fails on a step that goes to a step the document does not have', async () => {
    const def = withSteps([{ id: 'a', type: 'wait', duration: 'PT1H', next: 'gone' }]);
    await expect(dryRun(deps, tenantId, def, '1')).rejects.toThrow(/step gone does not exist/);
  });
});
