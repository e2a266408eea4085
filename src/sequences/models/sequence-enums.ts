import { registerEnumType } from '@nestjs/graphql';
import {
  DurationUnit,
  EnrollmentEventType,
  EnrollmentStatus,
  EnrollmentStopReason,
  SequenceStatus,
  SequenceStepType,
  StepCondition,
  ThreadMode,
} from '../../generated/prisma/enums.js';

registerEnumType(SequenceStatus, {
  name: 'SequenceStatus',
  description: 'DRAFT → ACTIVE ⇄ PAUSED → ARCHIVED. Only ACTIVE sequences move their enrollments on.',
});
registerEnumType(SequenceStepType, {
  name: 'SequenceStepType',
  description: 'EMAIL sends, WAIT waits, CONDITION branches on engagement, END ends the sequence.',
});
registerEnumType(StepCondition, {
  name: 'StepCondition',
  description: 'What a CONDITION asks of the email sent last before it (human opens and clicks only).',
});
registerEnumType(DurationUnit, {
  name: 'DurationUnit',
  description: 'MINUTES and HOURS are elapsed time; BUSINESS_DAYS count business days in the contact zone.',
});
registerEnumType(ThreadMode, {
  name: 'ThreadMode',
  description: "SAME_THREAD replies under the enrollment's first email; NEW_THREAD starts a thread.",
});
registerEnumType(EnrollmentStatus, {
  name: 'EnrollmentStatus',
  description: 'ACTIVE ⇄ PAUSED → COMPLETED | STOPPED.',
});
registerEnumType(EnrollmentStopReason, {
  name: 'EnrollmentStopReason',
  description: 'Why an enrollment stopped.',
});
registerEnumType(EnrollmentEventType, {
  name: 'EnrollmentEventType',
  description: 'One entry of an enrollment timeline.',
});

export {
  DurationUnit,
  EnrollmentEventType,
  EnrollmentStatus,
  EnrollmentStopReason,
  SequenceStatus,
  SequenceStepType,
  StepCondition,
  ThreadMode,
};
