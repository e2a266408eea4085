/** A mailbox a sequence may enroll contacts on, with the live enrollments it already carries. */
export interface MailboxLoad {
  id: string;
  dailyCap: number;
  /** Live (ACTIVE or PAUSED) enrollments already assigned to it, in any sequence. */
  load: number;
}

/**
 * Mailboxes for `count` new enrollments, round-robin weighted by daily cap: each goes to the mailbox
 * with the fewest live enrollments per unit of cap (ties: the sequence's order), so a mailbox with
 * twice the cap carries twice the enrollments and one already busy elsewhere gets fewer.
 */
export function assignMailboxes(mailboxes: readonly MailboxLoad[], count: number): string[] {
  if (!mailboxes.length) throw new Error('No mailbox to assign');
  const loads = mailboxes.map((m) => ({ ...m, dailyCap: Math.max(1, m.dailyCap) }));
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    let best = loads[0];
    for (const m of loads) if ((m.load + 1) / m.dailyCap < (best.load + 1) / best.dailyCap) best = m;
    best.load++;
    out.push(best.id);
  }
  return out;
}
