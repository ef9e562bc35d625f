/** One page of a store query (objects, manifests, sharing-log events). */

export interface Page<T> {
  records: T[];
  more: boolean;
  /**
   * With a scope: how many records the query matched in this page's range (up to the last
   * record returned, or to the end when there is no more) that the scope withheld, by reason.
   */
  withheld?: { count: number; reasons: Record<string, number> };
}
