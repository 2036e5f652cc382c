import type { Command } from 'commander';

// Placeholder: registers nothing until the command is built.
export function register(_program: Command): void {}
