import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { combineRequestPlugins } from './request-plugins.ts';

const typeDefs = 'type Query { hello: String }';
const resolvers = { Query: { hello: () => 'world' } };

async function serverWith(plugins: ApolloServerPlugin[]) {
  const server = new ApolloServer({ typeDefs, resolvers, plugins: combineRequestPlugins(plugins) });
  await server.start();
  return server;
}

/** A plugin that records each hook it sees, in order, under its name. */
function recording(name: string, seen: string[], extra: Record<string, unknown> = {}): ApolloServerPlugin {
  return {
    async requestDidStart() {
      seen.push(`${name}:requestDidStart`);
      return {
        async didResolveOperation() {
          seen.push(`${name}:didResolveOperation`);
        },
        async willSendResponse() {
          seen.push(`${name}:willSendResponse`);
        },
        ...extra,
      };
    },
  };
}

describe('combineRequestPlugins', () => {
  it('gives Apollo one request plugin, after the others, whose hooks run every member in order', async () => {
    const seen: string[] = [];
    const plugins = combineRequestPlugins([ApolloServerPluginLandingPageDisabled(), recording('a', seen), { async requestDidStart() {} }, recording('b', seen)]);
    expect(plugins).toHaveLength(2);
    const server = await serverWith([recording('a', seen), recording('b', seen)]);
    const response = await server.executeOperation({ query: '{ hello }' });
    expect(response.body).toMatchObject({ kind: 'single', singleResult: { data: { hello: 'world' } } });
    expect(seen).toEqual(['a:requestDidStart', 'b:requestDidStart', 'a:didResolveOperation', 'b:didResolveOperation', 'a:willSendResponse', 'b:willSendResponse']);
    await server.stop();
  });

  it("starts every member's hook, as Apollo does, and answers with the first member's error", async () => {
    const seen: string[] = [];
    const refusing = (name: string): ApolloServerPlugin => ({
      async requestDidStart() {
        return {
          async didResolveOperation() {
            seen.push(name);
            throw new GraphQLError(`refused by ${name}`, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
          },
        };
      },
    });
    const server = await serverWith([refusing('first'), refusing('second'), recording('after', seen)]);
    const response = await server.executeOperation({ query: '{ hello }' });
    expect(response.http.status).toBe(403);
    expect(response.body).toMatchObject({ kind: 'single', singleResult: { errors: [{ message: 'refused by first' }] } });
    expect(seen).toEqual(['after:requestDidStart', 'first', 'second', 'after:didResolveOperation', 'after:willSendResponse']);
    await server.stop();
  });

  it('hands errors to every member that listens for them', async () => {
    const codes: string[] = [];
    const listening = (name: string): ApolloServerPlugin => ({
      async requestDidStart() {
        return {
          async didEncounterErrors({ errors }) {
            codes.push(`${name}:${errors.map((e) => e.extensions?.code).join(',')}`);
          },
        };
      },
    });
    const server = await serverWith([listening('a'), listening('b')]);
    await server.executeOperation({ query: '{ nope }' });
    expect(codes).toEqual(['a:GRAPHQL_VALIDATION_FAILED', 'b:GRAPHQL_VALIDATION_FAILED']);
    await server.stop();
  });

  it('refuses, on the first request, a member whose listener has a hook that returns a value', async () => {
    const logged: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: unknown) => void logged.push(String(message)) };
    const server = new ApolloServer({ typeDefs, resolvers, logger, plugins: combineRequestPlugins([recording('a', [], { async executionDidStart() {} })]) });
    await server.start();
    await expect(server.executeOperation({ query: '{ hello }' })).rejects.toThrow();
    expect(logged.join('\n')).toContain("a member's listener has executionDidStart, which returns a value; serve that plugin on its own");
    await server.stop();
  });
});
