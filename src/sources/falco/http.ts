// Falco's http_output (json_output: true) POSTs one alert per request; several
// newline-separated alerts are accepted too.
import { HttpReceiver, type HttpReceiverOptions } from '../http.js';
import { diag } from '../util.js';
import { normalizeFalco } from './normalize.js';

export function createFalcoHttpSource(opts: HttpReceiverOptions): HttpReceiver {
  return new HttpReceiver('falco', opts, (body, origin) =>
    body
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((line) => {
        try {
          return normalizeFalco(JSON.parse(line), origin);
        } catch (e) {
          return [{ diagnostic: diag('falco', 'bad-json', `Falco body is not JSON: ${(e as Error).message}`, origin) }];
        }
      }),
  );
}
