// Tests run from dist/ but fixtures live beside the sources: map one to the other.
import { fileURLToPath } from 'node:url';

export function fixturePath(metaUrl: string, rel: string): string {
  return fileURLToPath(new URL(rel, metaUrl)).replace(/([\\/])dist([\\/])sources([\\/])/, '$1src$2sources$3');
}
