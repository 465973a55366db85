import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryRows } from '../database.js';

export interface RateLimitHit {
  count: number;
  /** Seconds until the current window ends. */
  resetInSeconds: number;
}

/**
 * Fixed-window counters in PostgreSQL: one atomic upsert per hit, so a limit holds across every auth
 * replica. Windows older than an hour are swept now and then by the hits themselves.
 */
@Injectable()
export class RateLimitRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async hit(bucket: string, key: string, windowSeconds: number): Promise<RateLimitHit> {
    const rows = await queryRows<{ count: number; reset_in: number }>(
      this.dataSource.manager,
      `WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / $3::int) * $3::int) AS start)
       INSERT INTO auth.rate_limits AS r (bucket, key, window_start, count)
       SELECT $1, $2, w.start, 1 FROM w
       ON CONFLICT (bucket, key, window_start) DO UPDATE SET count = r.count + 1
       RETURNING count, ceil(extract(epoch FROM (window_start + make_interval(secs => $3::int) - now())))::int AS reset_in`,
      [bucket, key, windowSeconds],
    );
    if (Math.random() < 0.01) {
      void this.dataSource.query(`DELETE FROM auth.rate_limits WHERE window_start < now() - interval '1 hour'`).catch(() => undefined);
    }
    const row = rows[0]!;
    return { count: row.count, resetInSeconds: Math.max(1, row.reset_in) };
  }
}
