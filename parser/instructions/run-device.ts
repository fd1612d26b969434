// RUN --device=name[,required[=bool]]: a CDI device the command needs (BuildKit's labs feature).
// Read at parse time; values are not expanded.
import { csvFields } from '../csv-fields.js';
import { parseGoBool } from '../go-strconv.js';
import { withSuggestion } from '../suggest.js';

export interface RunDevice {
  /** A CDI device name such as `vendor.com/class=name`. */
  readonly name: string;
  /** Fail when the device is not available (otherwise it is skipped). */
  readonly required: boolean;
}

/** A field that is not a known option: the first one is the name, any later one is an error. */
function readNameField(device: { name: string }, key: string, field: string, hasValue: boolean): void {
  if (device.name === '') {
    device.name = field;
    return;
  }
  if (!hasValue) throw new Error(`invalid field '${field}' must be a key=value pair`);
  throw new Error(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ['name', 'required'], true));
}

/** Reads one `--device` value; throws an Error with BuildKit's message. */
export function parseRunDevice(spec: string): RunDevice {
  let fields: string[];
  try {
    fields = csvFields(spec);
  } catch (error) {
    throw new Error(`failed to parse csv devices: ${(error as Error).message}`);
  }
  const device = { name: '', required: false };
  for (const field of fields) {
    const equals = field.indexOf('=');
    const key = (equals < 0 ? field : field.slice(0, equals)).toLowerCase();
    const value = field.slice(equals + 1);
    if (key === 'required') {
      const required = equals < 0 ? true : parseGoBool(value);
      if (required === undefined) throw new Error(`invalid value for ${key}: ${value}`);
      device.required = required;
    } else if (key === 'name' && equals >= 0) {
      if (device.name !== '') throw new Error(`device name already set to ${device.name}`);
      device.name = value;
    } else {
      readNameField(device, key, field, equals >= 0);
    }
  }
  return device;
}
