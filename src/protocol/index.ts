/**
 * AWS Query protocol: form decoding, model-driven input decoding and validation, XML rendering of
 * results and errors. Pure: the shell reads models/*.json and passes the JSON to
 * {@link compileServiceModel}.
 */
export type {
  ListShape,
  MapShape,
  Member,
  ModelledError,
  NumberShape,
  Operation,
  ServiceModel,
  Shape,
  SimpleShape,
  StringShape,
  StructureShape,
} from './model.js';
export { compileServiceModel } from './compile.js';
export { decodeForm, decodeFormComponent, encodeForm, encodeFormComponent } from './form.js';
export { decodeOperationInput, type DecodedInput } from './decode.js';
export { formatTimestamp, renderError, renderResult, type RenderableError } from './render.js';
export { escapeXml } from './xml.js';
export {
  decodeJsonInput,
  jsonOperationName,
  renderJsonError,
  renderJsonResult,
  type JsonDecodeResult,
  type JsonViolation,
} from './json.js';
