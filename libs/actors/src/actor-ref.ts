/** Names one aggregate: its kind, its tenant (or `platform`), and its id within that tenant. */
export interface ActorRef {
  kind: string;
  tenantId: string;
  id: string;
}

export function actorKey(ref: ActorRef): string {
  return `actor:${ref.kind}:${ref.tenantId}:${ref.id}`;
}
