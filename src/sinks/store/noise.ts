// Where the alert volume comes from: the rules and images that raise the most, so tuning
// starts with the few entries that matter (`stowaway tune`).
import type Database from 'better-sqlite3';

export interface RuleNoise {
  rule_id: string;
  rule_title: string;
  alerts: number;
  /** Findings the alerts stand for (merged repeats) plus those the rate limit held back. */
  findings: number;
  /** Alerts an analyst marked false positive: the strongest sign a rule needs tuning. */
  false_positive: number;
  images: number;
}

export interface ImageNoise {
  image: string;
  alerts: number;
  findings: number;
  false_positive: number;
  /** The rules raising on it, noisiest first (at most five). */
  rules: string[];
}

export interface NoiseQuery {
  /** Only alerts last seen at or after this ISO time. */
  since?: string;
  limit?: number;
}

/** The noisiest rules and images, by findings; ties by alerts. */
export function noisiest(db: Database.Database, q: NoiseQuery = {}): { total: { alerts: number; findings: number }; rules: RuleNoise[]; images: ImageNoise[] } {
  const since = q.since ?? '';
  const limit = Math.max(1, Math.min(q.limit ?? 10, 1000));
  const total = db.prepare(`SELECT count(*) AS alerts, coalesce(sum(count + held_back), 0) AS findings FROM alerts WHERE last_seen >= ?`).get(since) as {
    alerts: number;
    findings: number;
  };
  const rules = db
    .prepare(
      `SELECT rule_id, max(rule_title) AS rule_title, count(*) AS alerts, sum(count + held_back) AS findings,
              sum(status = 'false_positive') AS false_positive, count(DISTINCT image) AS images
       FROM alerts WHERE last_seen >= ? GROUP BY rule_id ORDER BY findings DESC, alerts DESC, rule_id LIMIT ?`,
    )
    .all(since, limit) as RuleNoise[];
  const images = (
    db
      .prepare(
        `SELECT image, count(*) AS alerts, sum(count + held_back) AS findings, sum(status = 'false_positive') AS false_positive,
                (SELECT group_concat(rule_title, '\n') FROM (
                   SELECT rule_title FROM alerts b WHERE b.image = a.image AND b.last_seen >= @since
                   GROUP BY rule_id ORDER BY sum(count + held_back) DESC LIMIT 5)) AS rules
         FROM alerts a WHERE last_seen >= @since AND image IS NOT NULL AND image != '' GROUP BY image ORDER BY findings DESC, alerts DESC, image LIMIT @limit`,
      )
      .all({ since, limit }) as Array<Omit<ImageNoise, 'rules'> & { rules: string | null }>
  ).map((r) => ({ ...r, rules: r.rules ? r.rules.split('\n') : [] }));
  return { total, rules, images };
}
