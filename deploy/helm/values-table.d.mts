/** The README markers between which the values table lives. */
export const START: string;
export const END: string;
/** The Markdown table for a values.yaml text; throws naming every value without a comment. */
export function valuesTable(values: string): string;
/** The README text with its table replaced by the one `values` gives. */
export function withTable(readme: string, values: string): string;
