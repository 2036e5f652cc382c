// The scenario file format lives with the strategies it belongs to (ads/scenario.ts).
export * from '../ads/scenario.js';
