import { ApiProperty } from '@nestjs/swagger';

class ReportPeriod {
  @ApiProperty({ nullable: true, type: String }) from: string | null;
  @ApiProperty({ nullable: true, type: String }) to: string | null;
}

class ReportTotals {
  @ApiProperty() events: number;
  @ApiProperty({ description: 'outcome success' }) successes: number;
  @ApiProperty({ description: 'outcome failure plus outcome denied' }) failures: number;
  @ApiProperty({ description: 'outcome failure (e.g. a wrong password, an account locked)' }) failed: number;
  @ApiProperty({ description: 'outcome denied (a permission refused, a reused refresh token)' }) denied: number;
  @ApiProperty({ nullable: true, type: Number, description: 'successes / events, 4 decimals; null without events' }) success_rate: number | null;
  @ApiProperty({ description: 'Distinct user_id values among the events (the accounts they concern)' }) unique_users: number;
}

class TypeCount {
  @ApiProperty() type: string;
  @ApiProperty() events: number;
  @ApiProperty() failures: number;
}

class DayCount {
  @ApiProperty({ example: '2026-03-01', description: 'UTC day' }) date: string;
  @ApiProperty() events: number;
  @ApiProperty() failures: number;
  @ApiProperty() unique_users: number;
}

export class AuditReport {
  @ApiProperty({ type: ReportPeriod }) period: ReportPeriod;
  @ApiProperty({ type: ReportTotals }) totals: ReportTotals;
  @ApiProperty({ type: [TypeCount], description: 'Most frequent first' }) by_type: TypeCount[];
  @ApiProperty({ type: [DayCount], description: 'Days with events, oldest first' }) by_day: DayCount[];
}
