import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorPage } from './error-page';
import { plainFrame } from './html-error.filter';
import { htmlHeaders } from './security-headers';

/** A hosted page route: errors Fastify answers before Nest (unreadable body, NUL in a field) become HTML pages too. */
export const HostedPage = () => RouteConfig({ hostedPage: true });
/** A hosted page route that takes form posts (`@AcceptsForm()` and `HostedPage()` in one route config). */
export const HostedPageForm = () => RouteConfig({ hostedPage: true, acceptsForm: true });

interface Envelope {
  error?: { code?: string; message?: string };
}

/**
 * Errors raised before Nest's pipeline (form parser, input guards) reach the global JSON filter. On a
 * hosted page route this hook turns that envelope into the HTML error page with the page's headers,
 * so a browser never sees JSON. Errors inside Nest's pipeline are HtmlErrorFilter's.
 */
@Injectable()
export class HostedPageErrors implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const config = request.routeOptions?.config as { hostedPage?: boolean } | undefined;
      if (config?.hostedPage !== true || reply.statusCode < 400 || typeof payload !== 'string') return payload;
      if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return payload;
      let envelope: Envelope = {};
      try {
        envelope = JSON.parse(payload) as Envelope;
      } catch {
        /* not an envelope: the generic text below */
      }
      const code = envelope.error?.code;
      const message = code === 'validation.failed' ? 'The form could not be read.' : (envelope.error?.message ?? 'The request could not be answered.');
      reply.headers(htmlHeaders());
      return errorPage(plainFrame((request.params as { tenant?: unknown } | undefined)?.tenant), message, code);
    });
  }
}
