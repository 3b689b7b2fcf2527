package check

import (
	"go.uber.org/zap"

	"github.com/heatd/heatd/action"
)

// unitRestarted logs how a recovery_unit restart ended: recovery_unit_done
// when systemd's job came to "done", recovery_unit_failed (a warning, with
// the result) for any other result, or when heatd stopped waiting at
// script_timeout. Either way verification follows: the check, not the job,
// says whether the service is back. fields are the script event's own
// (exit_code, duration, attempt...).
func (c *Check) unitRestarted(out action.Outcome, fields []zap.Field) {
	fields = append(fields, zap.String("unit", out.Unit), zap.String("result", out.Result))
	if out.TimedOut {
		fields = append(fields, zap.Bool("timed_out", true))
	}
	if out.Result == action.UnitDone {
		c.events().Info("recovery_unit_done", fields...)
		return
	}
	c.events().Warn("recovery_unit_failed", fields...)
}
