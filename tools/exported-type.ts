import ts from 'typescript';

/** A type a module exports, with the checker that resolved it. */
export interface ExportedType {
  readonly checker: ts.TypeChecker;
  readonly type: ts.Type;
}

/**
 * Compiles `file` (and what it imports) as the repository's tsconfig would for its types, and
 * returns the type it exports as `name`: what the props tools walk with the TypeScript checker.
 * @throws Error when the file cannot be read or exports no such type.
 */
export function exportedType(file: string, name: string): ExportedType {
  const program = ts.createProgram([file], {
    strict: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`cannot read ${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const symbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
  if (symbol === undefined) throw new Error(`${file} exports no ${name}`);
  return { checker, type: checker.getDeclaredTypeOfSymbol(symbol) };
}
