import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** The webhook secret the tests' SSM mock hands out. */
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

/** Options for {@link webhookEvent}. */
export interface WebhookEventOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | undefined>;
  readonly base64?: boolean;
}

/**
 * An API Gateway HTTP API (payload v2) event as GitLab's delivery of `body` produces it: by default
 * a POST with the Job Hook event header and the right token. `headers` adds or (with undefined)
 * removes headers.
 */
export function webhookEvent(body: string, options: WebhookEventOptions = {}): APIGatewayProxyEventV2 {
  const merged: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'x-gitlab-event': 'Job Hook',
    'x-gitlab-token': TEST_WEBHOOK_SECRET,
    'user-agent': 'GitLab/17.6.0',
    ...options.headers,
  };
  const headers = Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const method = options.method ?? 'POST';
  return {
    version: '2.0',
    routeKey: `${method} /webhook`,
    rawPath: '/webhook',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method,
        path: '/webhook',
        protocol: 'HTTP/1.1',
        sourceIp: '34.74.90.64',
        userAgent: 'GitLab/17.6.0',
      },
      requestId: 'req-1',
      routeKey: `${method} /webhook`,
      stage: '$default',
      time: '23/Nov/2026:09:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
    },
    body: options.base64 === true ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 === true,
  };
}

/**
 * The same delivery through the REST API that fronts the webhook when `webhook.waf` is set
 * (Lambda proxy, payload v1): header names as GitLab sent them, not lowercased, and `null` for
 * an absent body.
 */
export function restWebhookEvent(
  body: string | null,
  options: WebhookEventOptions = {},
): APIGatewayProxyEvent {
  const v2 = webhookEvent(body ?? '', options);
  const gitlabCase: Record<string, string> = {
    'content-type': 'Content-Type',
    'x-gitlab-event': 'X-Gitlab-Event',
    'x-gitlab-token': 'X-Gitlab-Token',
    'user-agent': 'User-Agent',
  };
  const headers = Object.fromEntries(
    Object.entries(v2.headers).map(([name, value]) => [gitlabCase[name] ?? name, value]),
  );
  const method = options.method ?? 'POST';
  return {
    resource: '/webhook',
    path: '/webhook',
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, [value ?? '']]),
    ),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '34.74.90.64',
        user: null,
        userAgent: 'GitLab/17.6.0',
        userArn: null,
      },
      path: '/spotlab/webhook',
      stage: 'spotlab',
      requestId: 'req-1',
      requestTimeEpoch: 1_795_000_000_000,
      resourceId: 'res-1',
      resourcePath: '/webhook',
    },
    body: body === null ? null : (v2.body ?? null),
    isBase64Encoded: v2.isBase64Encoded,
  };
}

/** A minimal Lambda context for middy and Powertools. */
export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'spotlab-webhook',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:spotlab-webhook',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/spotlab-webhook',
  logStreamName: '2026/11/23/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};
