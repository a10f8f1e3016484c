import { relative, resolve } from 'node:path';
import ts from 'typescript';
import { exportedType } from '../../tools/exported-type';

/** One prop whose TSDoc is missing something, by its path (`pools[].warm.schedules[].days`). */
export interface PropDocProblem {
  readonly path: string;
  readonly problem: 'no TSDoc comment' | 'optional without @default';
}

/** Whether `declaration` is in `root`'s own files, not in a library it depends on. */
function declaredIn(root: string, declaration: ts.Declaration): boolean {
  const path = relative(root, declaration.getSourceFile().fileName);
  return !path.startsWith('..') && !path.split(/[\\/]/).includes('node_modules');
}

/**
 * Walks the props type `typeName` exported by `file` with the TypeScript checker, through nested
 * objects, arrays and unions, and lists each prop declared under `root` that has no TSDoc
 * comment, or is optional and has no `@default` tag. Types from libraries (IVpc, Duration, …)
 * are not entered: their docs are theirs. `root` is the repository, or an installed package's
 * folder to read its declarations as a user's editor does.
 */
export function propDocProblems(
  file: string,
  typeName: string,
  root: string = process.cwd(),
): PropDocProblem[] {
  const isOurs = (declaration: ts.Declaration): boolean => declaredIn(resolve(root), declaration);
  const { checker, type: props } = exportedType(file, typeName);
  const problems: PropDocProblem[] = [];
  const seen = new Set<ts.Type>();

  const visitType = (type: ts.Type, path: string): void => {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.isUnion() || type.isIntersection()) {
      for (const member of type.types) visitType(member, path);
      return;
    }
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      for (const element of checker.getTypeArguments(type as ts.TypeReference))
        visitType(element, `${path}[]`);
      return;
    }
    if (!(type.flags & ts.TypeFlags.Object) || type.getCallSignatures().length > 0) return;
    const declarations = type.getSymbol()?.getDeclarations() ?? [];
    if (declarations.length > 0 && !declarations.some(isOurs)) return;
    // A record (index signature only, like `tags`) has no named props to document.
    for (const prop of checker.getPropertiesOfType(type)) visitProp(prop, path);
  };

  const visitProp = (prop: ts.Symbol, parent: string): void => {
    const declarations = prop.getDeclarations() ?? [];
    if (declarations.length > 0 && !declarations.some(isOurs)) return;
    const path = parent === '' ? prop.name : `${parent}.${prop.name}`;
    const docs = ts.displayPartsToString(prop.getDocumentationComment(checker)).trim();
    const tags = prop.getJsDocTags(checker).map((tag) => tag.name);
    if (docs === '' && tags.length === 0) problems.push({ path, problem: 'no TSDoc comment' });
    else if (prop.flags & ts.SymbolFlags.Optional && !tags.includes('default'))
      problems.push({ path, problem: 'optional without @default' });
    const declaration = declarations[0];
    if (declaration !== undefined)
      visitType(checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(prop, declaration)), path);
  };

  visitType(props, '');
  return problems;
}
