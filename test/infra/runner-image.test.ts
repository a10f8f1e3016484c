import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig } from '../../lib/config/load';
import type { SpotlabConfig } from '../../lib/config/schema';
import { recipeVersion, runnerImageParameter } from '../../lib/constructs/runner-image';
import { nagFindings } from '../support/nag';
import { actionsOf, logicalId, shipped, statementsOf, synth } from '../support/template';

/** The shipped configuration with its arm64 pool on the baked image, pre-pulling two job images. */
function bakedConfig(overrides: Record<string, unknown> = {}): Readonly<SpotlabConfig> {
  return parseConfig(
    JSON.stringify({
      ...shipped,
      pools: shipped.pools.map((pool) =>
        pool.architecture === 'arm64'
          ? { ...pool, image: 'baked', prePulledImages: ['node:22-alpine', 'alpine:3.20'] }
          : pool,
      ),
      ...overrides,
    }),
  );
}

let template: Template;
let findings: string[];
beforeAll(() => {
  const { template: t, outdir } = synth(bakedConfig());
  template = t;
  findings = nagFindings(outdir);
});

const onlyResource = (type: string): Record<string, unknown> => {
  const resources = Object.values(template.findResources(type));
  expect(resources, type).toHaveLength(1);
  return z.object({ Properties: z.record(z.string(), z.unknown()) }).parse(resources[0]).Properties;
};

const bakeScript = (): string => {
  const data = z.string().parse(onlyResource('AWS::ImageBuilder::Component').Data);
  const document = z
    .object({
      phases: z.array(
        z.object({
          name: z.string(),
          steps: z.array(
            z.object({ action: z.string(), inputs: z.object({ commands: z.array(z.string()) }) }),
          ),
        }),
      ),
    })
    .parse(JSON.parse(data));
  expect(document.phases.map((phase) => phase.name)).toEqual(['build']);
  const [step] = document.phases[0]?.steps ?? [];
  expect(step?.action).toBe('ExecuteBash');
  return step?.inputs.commands.join('\n') ?? '';
};

describe('Spotlab baked runner image', () => {
  it('builds one image per architecture of the baked pools, and none for a stack without them', () => {
    const stock = synth(shipped).template;

    expect(Object.keys(template.findResources('AWS::ImageBuilder::ImagePipeline'))).toHaveLength(1);
    expect(Object.keys(stock.findResources('AWS::ImageBuilder::ImagePipeline'))).toHaveLength(0);
  });

  it('starts from the latest Amazon Linux 2023 of the architecture and drops the SSM agent after the build', () => {
    const recipe = onlyResource('AWS::ImageBuilder::ImageRecipe');

    expect(recipe.ParentImage).toBe(
      'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
    );
    expect(recipe.Name).toBe('spotlab-spotlab-runner-arm64');
    expect(recipe.Version).toMatch(/^19\.3\.\d{1,4}$/);
    expect(recipe.AdditionalInstanceConfiguration).toEqual({
      SystemsManagerAgent: { UninstallAfterBuild: true },
    });
  });

  it('bakes docker, the verified pinned runner, its helper image, the pre-pulled images, a trimmed boot and the marker', () => {
    const script = bakeScript();

    expect(script).toContain("SPOTLAB_RUNNER_VERSION='19.3.0'");
    expect(script).toContain("SPOTLAB_ARCH='arm64'");
    expect(script).toContain("SPOTLAB_PRE_PULLED_IMAGES='alpine:3.20 node:22-alpine'");
    expect(script).toContain('dnf install -y docker');
    expect(script).toContain('systemctl enable --now docker');
    expect(script).toContain('release.sha256');
    expect(script).toContain('checksum mismatch, refusing to run');
    expect(script).toContain('registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:%s-v%s');
    expect(script).toContain('dnf-makecache.timer sshd.service sshd-keygen.target');
    expect(script).toContain('/etc/spotlab/baked');
  });

  it('versions the recipe by the runner release, and again when the bake document changes', () => {
    expect(recipeVersion('19.3.0', 'a')).toMatch(/^19\.3\.\d{1,4}$/);
    expect(recipeVersion('19.4.2', 'a')).toMatch(/^19\.4\.2\d{4}$/);
    expect(recipeVersion('19.3.0', 'a')).not.toBe(recipeVersion('19.3.0', 'b'));
    expect(recipeVersion('19.3.0', 'a')).toBe(recipeVersion('19.3.0', 'a'));
  });

  it('rebuilds on the configured weekly schedule, and at once when the recipe version changes', () => {
    const pipeline = onlyResource('AWS::ImageBuilder::ImagePipeline');
    const custom = synth(bakedConfig({ bakedImages: { rebuildSchedule: 'cron(0 2 ? * sun *)' } })).template;

    expect(pipeline.Schedule).toEqual({
      ScheduleExpression: 'cron(0 4 ? * mon *)',
      PipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
    });
    custom.hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      Schedule: Match.objectLike({ ScheduleExpression: 'cron(0 2 ? * sun *)' }),
    });
    const start = JSON.stringify(onlyResource('Custom::AWS').Update);
    expect(start).toContain('StartImagePipelineExecution');
    expect(start).toMatch(/spotlab-spotlab-runner-arm64-19\.3\.\d+/);
  });

  it('publishes each new AMI id to the parameter the baked pool resolves at launch', () => {
    const parameter = runnerImageParameter('Spotlab', 'arm64');
    const distribution = onlyResource('AWS::ImageBuilder::DistributionConfiguration');

    expect(distribution.Distributions).toEqual([
      expect.objectContaining({
        SsmParameterConfigurations: [{ ParameterName: parameter, DataType: 'aws:ec2:image' }],
      }),
    ]);
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: parameter,
      DataType: 'aws:ec2:image',
      Value: '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64}}',
    });
    const arm = logicalId(template, 'AWS::EC2::LaunchTemplate', 'FleetPoolarmdocker');
    template.hasResource('AWS::EC2::LaunchTemplate', {
      Properties: { LaunchTemplateData: Match.objectLike({ ImageId: `resolve:ssm:${parameter}` }) },
    });
    expect(JSON.stringify(template.toJSON().Resources[arm])).toContain(`resolve:ssm:${parameter}`);
    const x86 = logicalId(template, 'AWS::EC2::LaunchTemplate', 'FleetPoolx86docker');
    expect(JSON.stringify(template.toJSON().Resources[x86])).not.toContain('resolve:ssm:');
  });

  it('lets scale-up resolve the image parameter, as CreateFleet needs, and nothing more of it', () => {
    const onParameter = statementsOf(template, 'ScaleUp').filter((s) =>
      JSON.stringify(s.Resource).includes('runner-image'),
    );

    expect(onParameter.flatMap(actionsOf)).toEqual(['ssm:GetParameters']);
  });

  it('keeps the newest three images per pipeline tag and deletes older AMIs with their snapshots', () => {
    const policy = onlyResource('AWS::ImageBuilder::LifecyclePolicy');
    const pipeline = onlyResource('AWS::ImageBuilder::ImagePipeline');

    expect(policy.ResourceType).toBe('AMI_IMAGE');
    expect(policy.ResourceSelection).toEqual({ TagMap: pipeline.ImageTags });
    expect(policy.PolicyDetails).toEqual([
      {
        Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
        Filter: { Type: 'COUNT', Value: 3 },
      },
    ]);
  });

  it('gives the build and cleanup roles narrow statements instead of AWS managed policies', () => {
    const build = statementsOf(template, 'FleetImagearm64BuildRole');
    const cleanup = statementsOf(template, 'FleetImagearm64CleanupRole');
    const roles = Object.values(template.findResources('AWS::IAM::Role'));

    expect(roles.some((role) => JSON.stringify(role).includes('EC2InstanceProfileForImageBuilder'))).toBe(
      false,
    );
    expect(roles.some((role) => JSON.stringify(role).includes('AmazonSSMManagedInstanceCore'))).toBe(false);
    expect(
      build.flatMap(actionsOf).filter((a) => /^(ec2|iam|ssm:(Get|Put|Delete)|s3:Put|kms):/.test(a)),
    ).toEqual([]);
    expect(build.flatMap(actionsOf)).toContain('imagebuilder:GetComponent');
    const deregister = cleanup.find((s) => actionsOf(s).includes('ec2:DeregisterImage'));
    expect(deregister?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/spotlab:runner-image': 'Spotlab-arm64' },
    });
  });

  it('passes cdk-nag with every acknowledgement reasoned', () => {
    expect(findings).toEqual([]);
  });

  it('refuses pre-pulled images on a pool that is not baked', () => {
    expect(() =>
      parseConfig(
        JSON.stringify({
          ...shipped,
          pools: shipped.pools.map((pool) => ({ ...pool, prePulledImages: ['node:22'] })),
        }),
      ),
    ).toThrow(/prePulledImages/);
  });
});
