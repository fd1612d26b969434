// Whether a FROM base is a valid image reference, with the reasons Docker's reference grammar
// (distribution/reference, ParseNormalizedNamed) gives: `name[:tag][@digest]`, an optional
// registry host first, lower-case path components, no bare 64-hex identifier.

const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN_AND_PORT = `${HOST}(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN_AND_PORT}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

/** Splits off the registry the way Docker does: a first component with `.` or `:`, `localhost`, or upper case. */
function splitDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: 'docker.io', remainder: `library/${name}` };
  const first = name.slice(0, slash);
  const isDomain = first === 'localhost' || first.includes('.') || first.includes(':') || first.toLowerCase() !== first;
  if (!isDomain) return { domain: 'docker.io', remainder: name };
  const domain = first === 'index.docker.io' ? 'docker.io' : first;
  const rest = name.slice(slash + 1);
  return { domain, remainder: domain === 'docker.io' && !rest.includes('/') ? `library/${rest}` : rest };
}

/** `reference` always has a domain and a path here, so it is never empty. */
function parseError(reference: string): string | undefined {
  const match = REFERENCE.exec(reference);
  if (match === null) {
    if (REFERENCE.test(reference.toLowerCase())) return 'repository name must be lowercase';
    return 'invalid reference format';
  }
  return match[1]!.length > NAME_TOTAL_LENGTH_MAX ? `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters` : undefined;
}

/**
 * Why `reference` is not a valid image reference (Docker's wording), or undefined when it is.
 * `scratch` is valid here: it is a name like any other to the grammar.
 */
export function imageReferenceError(reference: string): string | undefined {
  if (IDENTIFIER.test(reference)) return `invalid repository name (${reference}), cannot specify 64-byte hexadecimal strings`;
  const { domain, remainder } = splitDomain(reference);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) return `invalid reference format: repository name (${remote}) must be lowercase`;
  return parseError(`${domain}/${remainder}`);
}
