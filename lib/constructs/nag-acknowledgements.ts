import type { Acknowledgment, Stack } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';

/** A policy statement, and why its wildcard resources (if any) cannot be narrower. */
export interface ScopedStatement {
  readonly statement: PolicyStatement;
  readonly wildcardReason?: string;
}

/**
 * The statements, and one cdk-nag acknowledgement per wildcard finding (several may share one).
 * Deny statements need none: cdk-nag reports wildcards of Allow statements only.
 */
export function withAcknowledgements(
  stack: Stack,
  scoped: readonly ScopedStatement[],
): { statements: PolicyStatement[]; acknowledgements: Acknowledgment[] } {
  const acknowledgements = new Map<string, Acknowledgment>();
  for (const { statement, wildcardReason } of scoped) {
    if (wildcardReason === undefined) continue;
    for (const arn of statement.resources.filter((resource) => resource.includes('*'))) {
      const id = iam5Finding(stack, arn);
      if (!acknowledgements.has(id)) acknowledgements.set(id, { id, reason: wildcardReason });
    }
  }
  return {
    statements: scoped.map(({ statement }) => statement),
    acknowledgements: [...acknowledgements.values()],
  };
}

/**
 * The id of a cdk-nag `AwsSolutions-IAM5` finding for a wildcard resource, as cdk-nag spells it:
 * references flattened to `<LogicalId>` / `<LogicalId.Attribute>`, pseudo parameters to
 * `<AWS::Region>`. Acknowledging the exact finding keeps any other wildcard in the same policy
 * reported.
 */
export function iam5Finding(stack: Stack, resourceArn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenReference(stack.resolve(resourceArn))}]`;
}

function flattenReference(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node !== 'object' || node === null) return JSON.stringify(node);
  if ('Fn::Join' in node && Array.isArray(node['Fn::Join'])) {
    const [delimiter, items]: unknown[] = node['Fn::Join'];
    return Array.isArray(items) ? items.map(flattenReference).join(String(delimiter)) : '';
  }
  if ('Fn::GetAtt' in node && Array.isArray(node['Fn::GetAtt'])) {
    return `<${node['Fn::GetAtt'].map(flattenReference).join('.')}>`;
  }
  if ('Ref' in node) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(node);
}
