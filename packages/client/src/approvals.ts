import { ApprovalViewSchema, type ApprovalAnswerRequest, type ApprovalStatus, type ApprovalView } from '@switchyard/core';
import type { Http } from './http.ts';
import { objectOf } from './shapes.ts';

/** Which approvals to list; every field narrows. */
export interface ApprovalFilter {
  status?: ApprovalStatus;
  team?: string;
  workspace?: string;
  task?: string;
  /** At most this many, newest first (the API's default is 100, its most 500). */
  limit?: number;
}

const Approvals = objectOf({ approvals: ApprovalViewSchema.array() });
const enc = encodeURIComponent;

/** Tool calls claude asked about (#15): list them, read one, answer one. */
export function approvalResources(http: Http) {
  return {
    /** `GET /v1/approvals`: those the token may see, filtered. */
    approvals: async (filter: ApprovalFilter = {}): Promise<ApprovalView[]> =>
      (await http.json('GET', '/v1/approvals', Approvals, { query: { ...filter } })).approvals,
    approval: (id: string): Promise<ApprovalView> => http.json('GET', `/v1/approvals/${enc(id)}`, ApprovalViewSchema),
    /** Allow once, allow for the rest of the task, or deny with a message; 409 once it is no longer pending. */
    answerApproval: (id: string, body: ApprovalAnswerRequest): Promise<ApprovalView> =>
      http.json('POST', `/v1/approvals/${enc(id)}`, ApprovalViewSchema, { json: body }),
  };
}
