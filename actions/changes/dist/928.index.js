export const id = 928;
export const ids = [928];
export const modules = {

/***/ 5081:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.MAX_SDK_ATTEMPTS = void 0;
exports.clientConfig = clientConfig;
exports.createClient = createClient;
const version_js_1 = __webpack_require__(4402);
/** Tags errors with the client and command names, so messages can name the refused IAM action. */
const errorContext = (next, context) => async (args) => {
    try {
        return await next(args);
    }
    catch (error) {
        if (error instanceof Error)
            Object.assign(error, { $service: context.clientName, $operation: context.commandName });
        throw error;
    }
};
/* eslint-enable @typescript-eslint/no-explicit-any */
exports.MAX_SDK_ATTEMPTS = 5;
function clientConfig(session) {
    return {
        region: session.region,
        credentials: session.credentials,
        retryMode: 'adaptive',
        maxAttempts: exports.MAX_SDK_ATTEMPTS,
        customUserAgent: [[version_js_1.SUITE_NAME, version_js_1.SUITE_VERSION]],
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    };
}
/** `createClient(ECSClient, session)`: only the client classes an action uses end up in its bundle. */
function createClient(Client, session) {
    const client = new Client(...[clientConfig(session)]);
    client.middlewareStack.add(errorContext, { step: 'initialize', name: 'berthErrorContext' });
    return client;
}


/***/ }),

/***/ 8955:
/***/ (function(__unused_webpack_module, exports, __webpack_require__) {


var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.OidcTokenError = exports.GITHUB_OIDC_HOST = void 0;
exports.fetchIdToken = fetchIdToken;
exports.tokenClaims = tokenClaims;
exports.trustPolicyHint = trustPolicyHint;
/** GitHub's OIDC token: fetching it, and explaining it when AWS refuses it. */
const core = __importStar(__webpack_require__(7484));
const errors_js_1 = __webpack_require__(2635);
const CLAIMS_SHOWN = ['sub', 'aud', 'repository', 'ref', 'environment', 'job_workflow_ref', 'iss'];
exports.GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The ID token for `audience`; core.getIDToken masks it before anything can print it. */
async function fetchIdToken(audience, env = process.env) {
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
        throw new errors_js_1.UserError('GitHub did not give this job an OIDC token, so the role in "role-to-assume" cannot be assumed.', 'Add to the job (and to the calling workflow, when this runs in a reusable workflow):\n' +
            '  permissions:\n    id-token: write\n    contents: read\n' +
            'Pull requests from forks never get a token; run deployments on push or workflow_dispatch.');
    }
    try {
        return await core.getIDToken(audience);
    }
    catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        const status = Number(/Error Code : (\d+)/.exec(text)?.[1]) || undefined;
        const reason = /Error Message: (.*)/.exec(text)?.[1]?.trim() || text.replace(/\s+/g, ' ');
        throw new OidcTokenError(`GitHub's OIDC token endpoint failed${status ? ` with HTTP ${status}` : ''}: ${reason}`, status);
    }
}
class OidcTokenError extends Error {
    status;
    name = 'OidcTokenError';
    constructor(message, status) {
        super(message);
        this.status = status;
    }
    /** Network failures, 429 and 5xx may pass on another try; other answers will not. */
    get transient() {
        return this.status === undefined || this.status === 429 || this.status >= 500;
    }
}
exports.OidcTokenError = OidcTokenError;
/** The token's non-secret claims. The signature is never decoded or shown. */
function tokenClaims(token) {
    const payload = token.split('.')[1];
    if (!payload)
        return {};
    try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        const shown = {};
        for (const name of CLAIMS_SHOWN) {
            const value = claims[name];
            if (value !== undefined && value !== null && value !== '')
                shown[name] = Array.isArray(value) ? value.join(', ') : String(value);
        }
        return shown;
    }
    catch {
        return {};
    }
}
/** What a trust policy must match for this token, written next to the token's own claims. */
function trustPolicyHint(claims, roleArn, audience) {
    const lines = Object.entries(claims).map(([name, value]) => `  ${name}: ${value}`);
    const sub = claims.sub ?? 'repo:<owner>/<repo>:ref:refs/heads/main';
    const account = /::(\d{12}):/.exec(roleArn)?.[1] ?? '<account-id>';
    return [
        'The token GitHub issued for this job carried:',
        ...lines,
        `The trust policy of ${roleArn} must allow it, for example:`,
        `  "Principal": { "Federated": "arn:aws:iam::${account}:oidc-provider/${exports.GITHUB_OIDC_HOST}" },`,
        '  "Action": "sts:AssumeRoleWithWebIdentity",',
        '  "Condition": {',
        `    "StringEquals": { "${exports.GITHUB_OIDC_HOST}:aud": "${audience}" },`,
        `    "StringLike": { "${exports.GITHUB_OIDC_HOST}:sub": "${sub}" }`,
        '  }',
        'A job that uses a GitHub environment has a "sub" ending in ":environment:<name>" instead of ":ref:...";',
        `and the IAM OIDC provider for https://${exports.GITHUB_OIDC_HOST} must exist in account ${account}.`,
    ].join('\n');
}


/***/ }),

/***/ 3608:
/***/ (function(__unused_webpack_module, exports, __webpack_require__) {


var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.REFRESH_BEFORE_EXPIRY_MS = void 0;
exports.resolveRegion = resolveRegion;
exports.openSession = openSession;
exports.webIdentityCredentials = webIdentityCredentials;
/**
 * Opens the AWS session an action works in: the region, and credentials from GitHub OIDC through
 * STS AssumeRoleWithWebIdentity (refreshed before they expire), or the environment's own.
 */
const core = __importStar(__webpack_require__(7484));
const client_sts_1 = __webpack_require__(1695);
const errors_js_1 = __webpack_require__(2635);
const retry_js_1 = __webpack_require__(2372);
const time_js_1 = __webpack_require__(8681);
const client_js_1 = __webpack_require__(5081);
const errors_js_2 = __webpack_require__(7053);
const inputs_js_1 = __webpack_require__(1867);
const oidc_js_1 = __webpack_require__(8955);
/** Credentials are renewed when they have less than this long to live. */
exports.REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
function resolveRegion(inputs, options = {}) {
    const env = options.env ?? process.env;
    const region = inputs.region || options.fallbackRegion || env.AWS_REGION || env.AWS_DEFAULT_REGION;
    if (!region) {
        throw new errors_js_1.UserError('No AWS region is set.', 'Set the "aws-region" input (or "region" in the services manifest, or AWS_REGION in the environment).');
    }
    if (!inputs_js_1.REGION.test(region))
        throw new errors_js_1.UserError(`"${region}" is not an AWS region code.`, 'Use a region code such as us-east-1 or ap-southeast-5.');
    return region;
}
async function openSession(inputs, options = {}) {
    const region = resolveRegion(inputs, options);
    const session = { region };
    if (inputs.roleToAssume) {
        session.credentials = webIdentityCredentials(inputs, region, options);
        await session.credentials();
    }
    if (inputs.allowedAccountIds.length > 0)
        await checkAccount(session, inputs.allowedAccountIds);
    return session;
}
/**
 * A provider that assumes the role on first use and again when the credentials are about to
 * expire, with a fresh ID token each time; concurrent callers share one request.
 */
function webIdentityCredentials(inputs, region, options = {}) {
    const roleArn = inputs.roleToAssume;
    const sts = (0, client_js_1.createClient)(client_sts_1.STSClient, { region });
    let current;
    let pending;
    const assume = () => (0, retry_js_1.retry)(async () => {
        const token = await (0, oidc_js_1.fetchIdToken)(inputs.audience, options.env);
        try {
            const { Credentials: c, AssumedRoleUser } = await sts.send(new client_sts_1.AssumeRoleWithWebIdentityCommand({
                RoleArn: roleArn,
                RoleSessionName: inputs.roleSessionName,
                WebIdentityToken: token,
                DurationSeconds: inputs.roleDurationSeconds,
            }));
            if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
                throw new Error('STS returned no credentials');
            core.setSecret(c.AccessKeyId);
            core.setSecret(c.SecretAccessKey);
            core.setSecret(c.SessionToken);
            const expiration = c.Expiration ?? new Date(Date.now() + inputs.roleDurationSeconds * 1000);
            core.info(`Assumed ${AssumedRoleUser?.Arn ?? roleArn}; credentials valid for ${(0, time_js_1.formatDuration)(expiration.getTime() - Date.now())}.`);
            return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration };
        }
        catch (error) {
            throw explainRefusal(error, token, roleArn, inputs.audience);
        }
    }, {
        attempts: 6,
        baseMs: options.retryBaseMs ?? 1000,
        maxMs: 10_000,
        totalMs: 120_000,
        retryable: (error) => {
            if (error instanceof oidc_js_1.OidcTokenError)
                return error.transient ? error.message : undefined;
            if (error instanceof Error && error.name === 'IDPCommunicationError')
                return "AWS could not reach GitHub's OIDC provider (IDPCommunicationError)";
            return (0, errors_js_2.transientReason)(error);
        },
        onRetry: ({ reason, attempt, delayMs }) => core.info(`Assuming ${roleArn} failed (attempt ${attempt}): ${reason}; retrying in ${(0, time_js_1.formatDuration)(delayMs)}.`),
    });
    return async () => {
        const fresh = current?.expiration && current.expiration.getTime() - Date.now() > exports.REFRESH_BEFORE_EXPIRY_MS;
        if (fresh)
            return current;
        pending ??= assume().finally(() => (pending = undefined));
        current = await pending;
        return current;
    };
}
function explainRefusal(error, token, roleArn, audience) {
    if (!(error instanceof Error))
        return error;
    if ((0, errors_js_2.isAccessDenied)(error) || error.name === 'InvalidIdentityToken' || error.name === 'InvalidIdentityTokenException') {
        return new errors_js_1.UserError(`AWS refused to let this workflow assume ${roleArn}: ${error.name}: ${error.message}`, (0, oidc_js_1.trustPolicyHint)((0, oidc_js_1.tokenClaims)(token), roleArn, audience));
    }
    return error;
}
async function checkAccount(session, allowed) {
    const sts = (0, client_js_1.createClient)(client_sts_1.STSClient, session);
    const { Account, Arn } = await sts.send(new client_sts_1.GetCallerIdentityCommand({}));
    if (!Account || !allowed.includes(Account)) {
        throw new errors_js_1.UserError(`The AWS identity ${Arn ?? '(unknown)'} is in account ${Account ?? '(unknown)'}, which is not in "allowed-account-ids" (${allowed.join(', ')}).`, 'Nothing was changed. Check "role-to-assume" and the credentials given to the job, or add the account to "allowed-account-ids".');
    }
    core.info(`AWS account ${Account} is allowed.`);
}


/***/ }),

/***/ 9928:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

var __webpack_unused_export__;

__webpack_unused_export__ = ({ value: true });
exports.lookupDeployed = lookupDeployed;
__webpack_unused_export__ = deployedCommits;
__webpack_unused_export__ = imageTag;
/**
 * `since: last-deployed`: the commit each service runs now, read from the image of its container in
 * the task definition of the service's PRIMARY deployment (images are tagged with the full commit id).
 */
const client_ecs_1 = __webpack_require__(212);
const client_js_1 = __webpack_require__(5081);
const session_js_1 = __webpack_require__(3608);
const services_js_1 = __webpack_require__(4778);
const task_definitions_js_1 = __webpack_require__(5964);
const git_js_1 = __webpack_require__(1616);
/** Opens the AWS session (OIDC role from the input or the manifest) and reads what every service runs. */
async function lookupDeployed(aws, manifest, services, log) {
    const session = await (0, session_js_1.openSession)({ ...aws, roleToAssume: aws.roleToAssume ?? manifest.role }, { fallbackRegion: manifest.region });
    return deployedCommits((0, client_js_1.createClient)(client_ecs_1.ECSClient, session), services, log);
}
async function deployedCommits(ecs, services, log) {
    const byCluster = new Map();
    for (const service of services)
        byCluster.set(service.ecs.cluster, [...(byCluster.get(service.ecs.cluster) ?? []), service]);
    const running = new Map();
    await Promise.all([...byCluster].map(async ([cluster, members]) => {
        const { found } = await (0, services_js_1.describeServices)(ecs, cluster, members.map((service) => service.ecs.service));
        for (const service of members)
            running.set(service.name, found.get(service.ecs.service));
    }));
    const definitions = new Map();
    const result = new Map();
    await Promise.all(services.map(async (service) => {
        const ecsService = running.get(service.name);
        const where = `ECS service ${service.ecs.service} in cluster ${service.ecs.cluster}`;
        if (!ecsService)
            return result.set(service.name, { reason: `${where} does not exist yet, so nothing is deployed` });
        const arn = ecsService.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.taskDefinition ?? ecsService.taskDefinition;
        if (!arn)
            return result.set(service.name, { reason: `${where} has no task definition` });
        if (!definitions.has(arn))
            definitions.set(arn, (0, task_definitions_js_1.describeTaskDefinition)(ecs, arn));
        const image = (0, task_definitions_js_1.containerImage)((await definitions.get(arn)).taskDefinition, service.ecs.container);
        if (!image)
            return result.set(service.name, { reason: `task definition ${(0, task_definitions_js_1.shortTaskDefinition)(arn)} has no container "${service.ecs.container}"` });
        const tag = imageTag(image);
        if (!tag || !git_js_1.FULL_SHA.test(tag.toLowerCase())) {
            return result.set(service.name, { reason: `it runs ${image}, whose ${tag ? `tag "${tag}"` : 'reference (no tag)'} is not a commit id` });
        }
        log(`${service.name}: ${where} runs ${image} (${(0, task_definitions_js_1.shortTaskDefinition)(arn)}).`);
        return result.set(service.name, { sha: tag.toLowerCase(), image, taskDefinition: arn });
    }));
    return result;
}
/** The tag of an image reference (`host:port/repo:tag@sha256:...`), or undefined when it has none. */
function imageTag(image) {
    const name = image.split('@')[0];
    const colon = name.lastIndexOf(':');
    return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
}


/***/ }),

/***/ 4778:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.DESCRIBE_SERVICES_BATCH = void 0;
exports.describeServices = describeServices;
exports.requireServices = requireServices;
exports.requireService = requireService;
/** Looking up ECS services, with errors that name the cluster and service and list what exists. */
const client_ecs_1 = __webpack_require__(212);
const errors_js_1 = __webpack_require__(2635);
const suggest_js_1 = __webpack_require__(9496);
/** DescribeServices accepts at most this many services per call. */
exports.DESCRIBE_SERVICES_BATCH = 10;
/** Describes `names` in `cluster` with as few calls as possible (10 per call). */
async function describeServices(ecs, cluster, names) {
    const found = new Map();
    const missing = [];
    const unique = [...new Set(names)];
    for (let start = 0; start < unique.length; start += exports.DESCRIBE_SERVICES_BATCH) {
        const batch = unique.slice(start, start + exports.DESCRIBE_SERVICES_BATCH);
        let response;
        try {
            response = await ecs.send(new client_ecs_1.DescribeServicesCommand({ cluster, services: batch }));
        }
        catch (error) {
            throw clusterError(error, cluster);
        }
        for (const service of response.services ?? []) {
            if (service.status === 'ACTIVE' && service.serviceName)
                found.set(service.serviceName, service);
        }
        for (const name of batch)
            if (!found.has(name))
                missing.push(name);
    }
    return { found, missing };
}
/** Every named service, or a UserError listing the ones that do not exist and the ones that do. */
async function requireServices(ecs, cluster, names) {
    const { found, missing } = await describeServices(ecs, cluster, names);
    if (missing.length === 0)
        return found;
    const existing = await listServiceNames(ecs, cluster).catch(() => []);
    const guesses = missing.map((name) => (0, suggest_js_1.closest)(name, existing)).filter(Boolean);
    throw new errors_js_1.UserError(`ECS service${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}"`).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist (or ${missing.length > 1 ? 'are' : 'is'} not active) in cluster "${cluster}".` +
        (guesses.length ? ` Did you mean ${guesses.map((name) => `"${name}"`).join(', ')}?` : ''), existing.length
        ? `Services in "${cluster}": ${existing.slice(0, 20).join(', ')}${existing.length > 20 ? `, and ${existing.length - 20} more` : ''}. Fix the service name (ecs.service in the manifest, or the input).`
        : `Cluster "${cluster}" has no services. Create the service first (infrastructure code or aws ecs create-service), then deploy to it.`);
}
async function requireService(ecs, cluster, name) {
    return (await requireServices(ecs, cluster, [name])).get(name);
}
async function listServiceNames(ecs, cluster) {
    const names = [];
    let nextToken;
    do {
        const page = await ecs.send(new client_ecs_1.ListServicesCommand({ cluster, nextToken, maxResults: 100 }));
        for (const arn of page.serviceArns ?? [])
            names.push(arn.slice(arn.lastIndexOf('/') + 1));
        nextToken = page.nextToken;
    } while (nextToken && names.length < 500);
    return names.sort();
}
function clusterError(error, cluster) {
    if (error instanceof Error && error.name === 'ClusterNotFoundException') {
        return new errors_js_1.UserError(`ECS cluster "${cluster}" does not exist in this account and region.`, 'Check "cluster" in the manifest (or the cluster input) and the AWS region the step uses.');
    }
    return error;
}


/***/ }),

/***/ 5964:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.describeTaskDefinition = describeTaskDefinition;
exports.shortTaskDefinition = shortTaskDefinition;
exports.revisionOf = revisionOf;
exports.renderTaskDefinition = renderTaskDefinition;
exports.registerTaskDefinition = registerTaskDefinition;
exports.parseTaskDefinitionJson = parseTaskDefinitionJson;
exports.containerNames = containerNames;
exports.containerImage = containerImage;
/** Reading, rendering and registering task definitions. */
const client_ecs_1 = __webpack_require__(212);
const errors_js_1 = __webpack_require__(2635);
const suggest_js_1 = __webpack_require__(9496);
/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept. */
const READ_ONLY_FIELDS = [
    'taskDefinitionArn',
    'revision',
    'status',
    'requiresAttributes',
    'compatibilities',
    'registeredAt',
    'registeredBy',
    'deregisteredAt',
    'deleteRequestedAt',
];
/** A family (latest ACTIVE revision), `family:revision` or an ARN. */
async function describeTaskDefinition(ecs, reference) {
    try {
        const { taskDefinition, tags } = await ecs.send(new client_ecs_1.DescribeTaskDefinitionCommand({ taskDefinition: reference, include: ['TAGS'] }));
        if (!taskDefinition)
            throw new Error(`ECS returned no task definition for ${reference}`);
        return { taskDefinition, tags: tags ?? [] };
    }
    catch (error) {
        if (error instanceof Error && (error.name === 'ClientException' || error.name === 'InvalidParameterException')) {
            throw new errors_js_1.UserError(`Task definition "${reference}" cannot be read: ${error.message}`, 'Give a family name, family:revision or a full task-definition ARN that exists in this account and region.');
        }
        throw error;
    }
}
/** The `family:revision` part of a task-definition ARN, for logs. */
function shortTaskDefinition(arn) {
    return arn.slice(arn.lastIndexOf('/') + 1);
}
function revisionOf(arn) {
    const revision = Number(/:(\d+)$/.exec(arn)?.[1]);
    return Number.isFinite(revision) ? revision : undefined;
}
/**
 * The input for registering a new revision of `source`: read-only fields dropped, tags kept,
 * images and environment replaced. Throws a UserError naming any container that does not exist.
 */
function renderTaskDefinition(source, changes) {
    const definition = structuredClone(source.taskDefinition);
    for (const field of READ_ONLY_FIELDS)
        delete definition[field];
    const containers = definition.containerDefinitions ?? [];
    const names = containers.map((container) => container.name ?? '');
    const unknown = [...Object.keys(changes.images ?? {}), ...Object.keys(changes.environment ?? {})].filter((name) => !names.includes(name));
    if (unknown.length) {
        const name = unknown[0];
        const guess = (0, suggest_js_1.closest)(name, names);
        throw new errors_js_1.UserError(`Task definition ${source.taskDefinition.family}:${source.taskDefinition.revision} has no container named "${name}".${guess ? ` Did you mean "${guess}"?` : ''}`, `Its containers: ${names.join(', ')}. Fix the container name (ecs.container in the manifest, or the input).`);
    }
    for (const container of containers) {
        const image = changes.images?.[container.name];
        if (image)
            container.image = image;
        const variables = changes.environment?.[container.name];
        if (variables)
            container.environment = mergeEnvironment(container.environment ?? [], variables);
    }
    const input = definition;
    if (source.tags.length)
        input.tags = source.tags;
    else
        delete input.tags;
    return input;
}
function mergeEnvironment(current, updates) {
    const merged = current.filter((pair) => pair.name === undefined || !(pair.name in updates));
    for (const [name, value] of Object.entries(updates))
        merged.push({ name, value });
    return merged;
}
async function registerTaskDefinition(ecs, input) {
    const { taskDefinition } = await ecs.send(new client_ecs_1.RegisterTaskDefinitionCommand(input));
    if (!taskDefinition?.taskDefinitionArn)
        throw new Error(`ECS registered no task definition for family ${input.family}`);
    return taskDefinition;
}
/** Reads a task definition written as JSON (the output of `aws ecs describe-task-definition`, or its inner object). */
function parseTaskDefinitionJson(text, source) {
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch (error) {
        throw new errors_js_1.UserError(`${source} is not valid JSON: ${error.message}.`, 'Fix the file; `aws ecs describe-task-definition --task-definition <family>` prints a valid one.');
    }
    const wrapper = parsed;
    const definition = (wrapper.taskDefinition ?? parsed);
    if (typeof definition !== 'object' || definition === null || typeof definition.family !== 'string' || !Array.isArray(definition.containerDefinitions)) {
        throw new errors_js_1.UserError(`${source} is not a task definition: it needs a "family" and a "containerDefinitions" list.`, 'Start from the output of `aws ecs describe-task-definition --task-definition <family>`.');
    }
    return { taskDefinition: definition, tags: wrapper.tags ?? definition.tags ?? [] };
}
function containerNames(definition) {
    return (definition.containerDefinitions ?? []).map((container) => container.name ?? '');
}
function containerImage(definition, container) {
    return definition.containerDefinitions?.find((candidate) => candidate.name === container)?.image;
}


/***/ }),

/***/ 2372:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.retry = retry;
const time_js_1 = __webpack_require__(8681);
/** Runs `task` until it succeeds, the error is not retryable, or the bounds are reached; capped exponential backoff. */
async function retry(task, options) {
    const { attempts, baseMs, maxMs, totalMs = Infinity, retryable, delayFor, onRetry, sleep = time_js_1.sleep, now = Date.now } = options;
    const started = now();
    for (let attempt = 1;; attempt++) {
        try {
            return await task(attempt);
        }
        catch (error) {
            const reason = retryable(error);
            const backoffMs = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
            const delayMs = delayFor ? delayFor(error, backoffMs) : backoffMs;
            if (reason === undefined || attempt >= attempts || now() - started + delayMs > totalMs)
                throw error;
            onRetry?.({ error, reason, attempt, delayMs });
            await sleep(delayMs);
        }
    }
}


/***/ }),

/***/ 4402:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.SUITE_VERSION = exports.SUITE_NAME = void 0;
/** The suite's name and version, sent in the AWS user agent. Kept equal to package.json by a test. */
exports.SUITE_NAME = 'berth';
exports.SUITE_VERSION = '0.1.0';


/***/ })

};
