export * from './arn.js';
export * from './clock.js';
export * from './random.js';
export * from './uuid.js';
