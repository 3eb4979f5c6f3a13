import { Controller, HttpCode, Module, Post, Req, UseGuards } from '@nestjs/common';
import { WebhookGuard } from '@credence/consumer-kit';
import { settings } from './settings';

/** One route: Credence's deliveries arrive here, verified, each webhook-id once. */
@Controller()
class WebhookController {
  @Post(settings.path)
  @HttpCode(204)
  @UseGuards(new WebhookGuard({ secrets: settings.secrets }))
  receive(@Req() req: { webhook: { id: string; type: string; subject?: string } }): void {
    const e = req.webhook;
    process.stdout.write(`received ${e.type} ${e.id} ${e.subject ?? ''}\n`);
  }
}

@Module({ controllers: [WebhookController] })
export class ReceiverModule {}
