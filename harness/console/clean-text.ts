import stripAnsi from 'strip-ansi';

/*
 * strip-ansi (ansi-regex) removes CSI and BEL-terminated OSC sequences, but not the string
 * controls that sid's systemd and agetty write onto the serial console: OSC 3008 terminated by
 * ST (ESC \), DCS queries (ESC P ... ESC \), nor CSI sequences with intermediate bytes such as
 * the soft reset ESC [ ! p. Those are removed first; strip-ansi does the rest.
 */
const STRING_CONTROL = /\x1b[P\]X^_][\s\S]*?(?:\x1b\\|\x07|\x9c)/g;
const CSI_WITH_INTERMEDIATES = /\x1b\[[0-?]*[ -/]+[@-~]/g;
/** An escape sequence cut off at the end of a partial line: hidden until it is complete. */
const UNFINISHED_ESCAPE = /\x1b[^\n]*$/;
const OTHER_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/**
 * One console line as a person would read it: no escape sequences, no control characters, and
 * of a line overwritten with carriage returns only what stands last.
 */
export function cleanConsoleLine(raw: string, { partial = false } = {}): string {
  let text = raw.replace(STRING_CONTROL, '').replace(CSI_WITH_INTERMEDIATES, '');
  text = stripAnsi(text);
  if (partial) text = text.replace(UNFINISHED_ESCAPE, '');
  const segments = text.split('\r').map((s) => s.replace(OTHER_CONTROLS, ''));
  for (let i = segments.length - 1; i >= 0; i--) {
    if (segments[i]!.trim() !== '') return segments[i]!.trimEnd();
  }
  return '';
}
