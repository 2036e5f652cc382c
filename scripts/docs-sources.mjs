// `npm run docs:sources`: rewrites the live source flags table of docs/sources.md from the
// source descriptors (after a build). The test src/sources/descriptors.test.ts fails while they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { withFlagsTable } from '../dist/sources/descriptors.js';

const file = new URL('../docs/sources.md', import.meta.url);
writeFileSync(file, withFlagsTable(readFileSync(file, 'utf8')));
console.log('docs/sources.md: live source flags table rewritten');
