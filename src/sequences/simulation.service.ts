import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Clock } from '../common/clock/clock.js';
import { badInput } from '../common/errors/domain-error.js';
import { simulate } from './core/simulate.js';
import type { SimulateSequenceInput } from './dto/simulate.input.js';
import type {
  SequenceSimulationModel,
  SimulationEntryType,
  SimulationOutcome,
} from './models/simulation.model.js';
import { calendarOf, graphFromRows, rulesOf } from './sequence-steps.js';
import { SequencesService } from './sequences.service.js';

/**
 * `simulateSequence`: the timeline one hypothetical contact would follow, from the pure `simulate`,
 * which runs the engine's own `advance` (no copy of its rules) with the sequence's schedule and stop
 * rules. Works on a DRAFT's draft version too, so a sequence can be tried before it goes live.
 */
@Injectable()
export class SimulationService {
  constructor(
    private readonly sequences: SequencesService,
    private readonly clock: Clock,
  ) {}

  async simulate(
    organizationId: string,
    sequenceId: string,
    input: SimulateSequenceInput = {},
  ): Promise<SequenceSimulationModel> {
    const sequence = await this.sequences.row(organizationId, sequenceId);
    const number = input.version ?? sequence.currentVersion ?? sequence.versions.at(-1)!.version;
    const version = sequence.versions.find((v) => v.version === number);
    if (!version) throw badInput('version', `The sequence has no version ${number}`);
    const emailKeys = new Set(version.steps.filter((s) => s.type === 'EMAIL').map((s) => s.key));
    (input.events ?? []).forEach((e, i) => {
      if (!emailKeys.has(e.stepKey))
        throw badInput(`events.${i}.stepKey`, `Version ${number} has no EMAIL step "${e.stepKey}"`);
    });
    const calendar = calendarOf(sequence, input.timezone ?? null);
    const result = simulate({
      ctx: { graph: graphFromRows(version.entryStepKey, version.steps), calendar },
      version: number,
      rules: rulesOf(sequence),
      startAt: input.startAt ?? this.clock.now(),
      engagements: input.events ?? [],
    });
    const local = (at: Date) => DateTime.fromJSDate(at).setZone(calendar.zone).toISO()!;
    const subjects = new Map(version.steps.map((s) => [s.key, s.subject ?? '']));
    return {
      version: number,
      timezone: calendar.zone,
      outcome: result.outcome as SimulationOutcome,
      stopReason: result.stopReason,
      emails: result.entries
        .filter((e) => e.type === 'EMAIL_SENT')
        .map((e) => ({
          stepKey: e.stepKey!,
          at: e.at,
          localTime: local(e.at),
          subject: subjects.get(e.stepKey!) ?? '',
        })),
      timeline: result.entries.map((e) => ({
        at: e.at,
        localTime: local(e.at),
        type: e.type as SimulationEntryType,
        stepKey: e.stepKey,
        until: e.until ?? null,
        reason: e.reason ?? null,
      })),
    };
  }
}
