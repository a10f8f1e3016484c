/** One record of a CSV file, with its 1-based row number (the header is row 1, as a spreadsheet shows). */
export interface CsvRecord {
  readonly row: number;
  readonly fields: readonly string[];
}

/**
 * Splits CSV text into records (RFC 4180: comma-separated, fields optionally in double quotes, `""`
 * for a quote inside one, CRLF or LF line ends). Blank lines are skipped but still counted, so a row
 * number points at the line an editor shows for every file without quoted line breaks.
 */
export function readCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let row = 1;
  let recordRow = 1;
  const endRecord = (): void => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') records.push({ row: recordRow, fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else {
        if (char === '\n') row += 1;
        field += char;
      }
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
      row += 1;
      recordRow = row;
    } else field += char;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** Quotes a CSV field when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
