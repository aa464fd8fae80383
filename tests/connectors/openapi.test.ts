// OpenAPI import on a real public spec fragment (GitHub's issues endpoints, from @octokit/openapi
// 23.0.2, MIT; see fixtures/README.md), and the imported actions called against a local server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { importOpenApi, listOperations, OpenApiImportError, readOpenApi } from '../../main/connectors/openapi-import';
import { RuntimeConnectors, type ConnectorCallRecord } from '../../main/connectors/runtime-connectors';
import { json, MemorySecretStore, useServers } from './helpers';

const githubText = readFileSync(join(import.meta.dirname, 'fixtures/github-issues.openapi.json'), 'utf8');

describe('OpenAPI import', () => {
  const serve = useServers();

  it('lists the operations of a real spec and imports the chosen ones as actions with their schemas', () => {
    const document = readOpenApi(githubText, 'github-issues.openapi.json');
    expect(listOperations(document)).toEqual([
      { id: 'issues/list-for-repo', method: 'GET', path: '/repos/{owner}/{repo}/issues', summary: 'List repository issues', deprecated: false },
      { id: 'issues/create', method: 'POST', path: '/repos/{owner}/{repo}/issues', summary: 'Create an issue', deprecated: false },
      { id: 'issues/get', method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}', summary: 'Get an issue', deprecated: false },
    ]);
    const { connector, warnings } = importOpenApi(document, { name: 'github', operations: ['issues/create', 'GET /repos/{owner}/{repo}/issues/{issue_number}'] });
    expect(warnings).toEqual([]);
    expect(connector).toMatchObject({ kind: 'http', name: 'github', baseUrl: 'https://api.github.com', auth: { type: 'none' } });
    const [create, get] = connector.actions;
    expect(create).toMatchObject({
      name: 'issues_create',
      description: expect.stringMatching(/^Create an issue\. Any user with pull access/),
      method: 'POST',
      path: '/repos/{{input.owner}}/{{input.repo}}/issues',
      body: { title: '{{input.title}}', body: '{{input.body}}', labels: '{{input.labels}}' },
      bodyEncoding: 'json',
      confirm: true,
      inputSchema: { type: 'object', required: ['owner', 'repo', 'title'] },
    });
    // $refs are inlined and OpenAPI 3.0's nullable becomes a JSON Schema type list.
    expect(create!.inputSchema.properties!.assignee).toEqual({ type: ['string', 'null'], description: expect.stringContaining('Login for the user') });
    expect(create!.inputSchema.properties!.owner).toEqual({ type: 'string', description: 'The account owner of the repository. The name is not case sensitive.' });
    expect(get).toMatchObject({ name: 'issues_get', method: 'GET', path: '/repos/{{input.owner}}/{{input.repo}}/issues/{{input.issue_number}}', retries: 1 });
    expect(get!.inputSchema.properties!.issue_number).toMatchObject({ type: 'integer' });
    expect(get!.responseFields).toEqual(expect.arrayContaining(['number', 'title', 'state', 'body']));
    expect(JSON.stringify(connector)).not.toContain('x-github');

    // The same document as YAML imports the same.
    expect(importOpenApi(readOpenApi(stringify(JSON.parse(githubText))), { name: 'github', operations: ['issues/create', 'issues/get'] }).connector).toEqual(connector);
  });

  it('gives actions that call the API as the spec describes it', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'POST') return json(res, 201, { id: 1, number: 42, title: JSON.parse(req.body).title, state: 'open', html_url: 'https://github.com/acme/shop/issues/42', user: { login: 'bot' } });
      json(res, 200, [{ id: 1, number: 42, title: 'Kettle lid cracks', state: 'open', labels: [{ name: 'bug' }], user: { login: 'jane' } }]);
    });
    const document = readOpenApi(githubText);
    const { connector } = importOpenApi(document, { name: 'github', operations: ['issues/list-for-repo', 'issues/create'], baseUrl: `${server.url}/api/v3` });
    const calls: ConnectorCallRecord[] = [];
    const connectors = new RuntimeConnectors({ definitions: [connector], mode: 'live', secrets: new MemorySecretStore(), loopbackPortsForTesting: [server.port], onCall: (call) => calls.push(call) });
    const listed = await connectors.execute('github.issues_list_for_repo', { owner: 'acme', repo: 'shop', state: 'open', labels: 'bug', per_page: 5 }, { conversationId: 1 });
    expect(server.requests[0]!.url).toBe('/api/v3/repos/acme/shop/issues?state=open&labels=bug&per_page=5');
    expect(listed).toMatchObject({ ok: true, data: [{ id: 1, number: 42, title: 'Kettle lid cracks', state: 'open' }] });
    expect(JSON.stringify(listed)).not.toContain('jane');

    const created = await connectors.execute('github.issues_create', { owner: 'acme', repo: 'shop', title: 'Kettle lid cracks', labels: ['bug'] }, { conversationId: 1 });
    expect(JSON.parse(server.requests[1]!.body)).toEqual({ title: 'Kettle lid cracks', labels: ['bug'] });
    expect(created).toMatchObject({ ok: true, data: { number: 42, state: 'open', html_url: 'https://github.com/acme/shop/issues/42' } });
    expect(await connectors.execute('github.issues_create', { owner: 'acme', repo: 'shop' }, { conversationId: 1 })).toEqual({
      ok: false,
      error: 'The input of @github.issues_create is not valid: "title" is required.',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('maps security schemes and form bodies, and says what it cannot import', () => {
    const spec = {
      openapi: '3.0.3',
      info: { title: 'Payments', version: '1' },
      servers: [{ url: 'https://{region}.payments.example/v1', variables: { region: { default: 'eu' } } }],
      security: [{ key: [] }],
      components: {
        securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' }, bearer: { type: 'http', scheme: 'bearer' } },
        schemas: {
          Node: { type: 'object', properties: { id: { type: 'string' }, child: { $ref: '#/components/schemas/Node' } } },
          Refund: { type: 'object', required: ['amount'], properties: { id: { type: 'string', readOnly: true }, amount: { type: 'integer', minimum: 0, exclusiveMinimum: true }, note: { $ref: '#/components/schemas/Node' } } },
        },
      },
      paths: {
        '/refunds': {
          post: {
            operationId: 'createRefund',
            requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/Refund' } } } },
            parameters: [{ name: 'session', in: 'cookie', schema: { type: 'string' } }],
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Refund' } } } } },
          },
        },
        '/upload': { put: { operationId: 'upload', security: [{ bearer: [] }], requestBody: { content: { 'multipart/form-data': { schema: { type: 'object' } } } }, responses: { '204': { description: 'none' } } } },
      },
    };
    const document = readOpenApi(JSON.stringify(spec));
    const { connector, warnings } = importOpenApi(document, { name: 'payments', operations: ['createRefund'] });
    expect(connector.baseUrl).toBe('https://eu.payments.example/v1');
    expect(connector.auth).toEqual({ type: 'apiKey', in: 'header', name: 'X-Api-Key', secret: 'payments_api_key' });
    const refund = connector.actions[0]!;
    expect(refund).toMatchObject({ name: 'create_refund', bodyEncoding: 'form', body: { amount: '{{input.amount}}', note: '{{input.note}}' }, responseFields: ['id', 'amount'] });
    expect(refund.inputSchema.properties).toEqual({
      amount: { type: 'integer', exclusiveMinimum: 0 },
      note: { type: 'object', properties: { id: { type: 'string' }, child: { description: '(recursive: Node)' } } },
    });
    expect(warnings).toEqual(['POST /refunds: the cookie parameter "session" was left out; connectors do not send cookies.']);

    const upload = importOpenApi(document, { name: 'payments', operations: ['upload'], existing: connector });
    expect(upload.connector.actions.map((action) => action.name)).toEqual(['create_refund', 'upload']);
    expect(upload.warnings).toEqual([
      'PUT /upload: its request body is multipart/form-data, which connectors do not send; the action sends no body.',
      'PUT /upload: no response fields could be picked from its success response, so the model sees the whole response; choose responseFields.',
    ]);

    expect(() => importOpenApi(document, { name: 'payments', operations: ['deleteEverything'] })).toThrow(OpenApiImportError);
    expect(() => importOpenApi(document, { name: 'payments', operations: ['deleteEverything'] })).toThrow('The document has no operation "deleteEverything". Use an operationId or "METHOD /path".');
    expect(() => readOpenApi('{"swagger": "2.0", "paths": {}}', 'old.json')).toThrow('old.json is not an OpenAPI 3 document: openapi:');
    expect(() => readOpenApi('paths: [unclosed', 'bad.yaml')).toThrow(/^bad\.yaml is neither JSON nor YAML/);
  });
});
