export type DndStatus = 'active' | 'inactive' | 'permanent';

export interface DndSetting {
  status: DndStatus;
  message?: string;
  code?: string;
}

/** A GHL contact as GET /contacts/{id} returns it; absent fields are omitted, never null. */
export interface GhlContact {
  id: string;
  locationId: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  firstNameLowerCase?: string;
  lastNameLowerCase?: string;
  fullNameLowerCase?: string;
  email?: string;
  emailLowerCase?: string;
  phone?: string;
  companyName?: string;
  timezone?: string;
  dnd: boolean;
  dndSettings: Partial<Record<'Call' | 'Email' | 'SMS' | 'WhatsApp' | 'GMB' | 'FB', DndSetting>>;
  type: string;
  source?: string;
  address1?: string;
  city?: string;
  state?: string;
  country?: string;
  postalCode?: string;
  website?: string;
  tags: string[];
  dateAdded: string;
  dateUpdated: string;
  customFields: Array<{ id: string; value: string }>;
}

export type OpportunityStatus = 'open' | 'won' | 'lost' | 'abandoned';

export interface GhlOpportunity {
  id: string;
  name: string;
  monetaryValue: number;
  pipelineId: string;
  pipelineStageId: string;
  status: OpportunityStatus;
  source: string;
  lastStatusChangeAt: string;
  lastStageChangeAt: string;
  createdAt: string;
  updatedAt: string;
  contactId: string;
  locationId: string;
  assignedTo?: string;
  lostReasonId?: string;
  customFields: Array<{ id: string; fieldValue: string | string[] | Record<string, unknown> }>;
}

export interface GhlPipeline {
  id: string;
  name: string;
  stages: Array<{ id: string; name: string; position: number; showInFunnel: boolean; showInPieChart: boolean }>;
  showInFunnel: boolean;
  showInPieChart: boolean;
  locationId: string;
}
