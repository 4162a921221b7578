/**
 * Every AWS SDK client in the suite is made here, so they all share the region, the credentials,
 * adaptive retries, timeouts and the user agent. The SDK itself honours AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE>, which lets any action be rehearsed against a local emulator.
 */
import type { AwsCredentialIdentityProvider, InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import { SUITE_NAME, SUITE_VERSION } from '../version.js';

export interface AwsSession {
  region: string;
  /** Undefined means the SDK's default chain (environment, shared config, instance roles). */
  credentials?: AwsCredentialIdentityProvider;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- middleware sees every service's input and output types */
interface SdkClient {
  middlewareStack: MiddlewareStack<any, any>;
}

/** Tags errors with the client and command names, so messages can name the refused IAM action. */
const errorContext: InitializeMiddleware<any, any> = (next, context) => async (args) => {
  try {
    return await next(args);
  } catch (error) {
    if (error instanceof Error) Object.assign(error, { $service: context.clientName, $operation: context.commandName });
    throw error;
  }
};
/* eslint-enable @typescript-eslint/no-explicit-any */

export const MAX_SDK_ATTEMPTS = 5;

function clientConfig(session: AwsSession) {
  return {
    region: session.region,
    credentials: session.credentials,
    retryMode: 'adaptive',
    maxAttempts: MAX_SDK_ATTEMPTS,
    customUserAgent: [[SUITE_NAME, SUITE_VERSION]] as [string, string][],
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  };
}

/** `createClient(ECSClient, session)`: only the client classes an action uses end up in its bundle. */
export function createClient<C extends SdkClient, Args extends unknown[]>(Client: new (...args: Args) => C, session: AwsSession): C {
  const client = new Client(...([clientConfig(session)] as unknown as Args));
  client.middlewareStack.add(errorContext, { step: 'initialize', name: 'berthErrorContext' });
  return client;
}
