// ADS-0005: auto-removed containers that mount host data (the noise class of the correlation).
import type { Variant } from '../types.js';
import { RULES, pos, ben } from './steps.js';

export function ads0005(): Variant[] {
  const S = 'ADS-0005';
  return [
    pos({
      strategy: S,
      id: 'cfg-rm-host-data-ro',
      family: 'rm-host-data',
      technique: 'T1005',
      description: 'A throwaway (--rm) container that reads host data under /srv read-only.',
      expect: [RULES.rmHostData],
      box: { verb: 'create', args: '--rm -v /srv/:/data:ro' },
    }),
    ben({
      strategy: S,
      id: 'cfg-rm-localtime',
      family: 'benign-rm',
      description: 'A one-shot --rm job given the host time zone read-only.',
      box: { verb: 'run', args: '--rm -v /etc/localtime:/etc/localtime:ro', command: 'sleep 2' },
    }),
    ben({
      strategy: S,
      id: 'cfg-rm-named-volume',
      family: 'benign-rm',
      description: 'A one-shot --rm job writing to a named volume (a database dump).',
      box: { verb: 'run', args: '--rm -v "$MARK-dumps:/dumps"', command: 'sh -c "echo dump > /dumps/db.sql"' },
      cleanup: ['docker volume rm "$MARK-dumps" >/dev/null 2>&1 || true'],
    }),
  ];
}
