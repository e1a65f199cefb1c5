#!/bin/sh
# Monthly run and publish for cron: one timestamped log per run in reports/logs/, logs older than
# KEEP_DAYS removed. Exit code of the run (0 ok, 1 a failing notebook, 2 a mistake in the data) is kept.
# Usage (crontab of the service user): 0 6 8 * * /srv/workbench/deploy/workbench-cron.sh /srv/intranet/customer-reports
set -u
PROJECT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${1:?usage: workbench-cron.sh PUBLISH_FOLDER}
KEEP_DAYS=${KEEP_DAYS:-400}
mkdir -p "$PROJECT/reports/logs"
LOG="$PROJECT/reports/logs/run-$(date +%Y%m%d-%H%M%S).log"
cd "$PROJECT" || exit 2
{
  echo "== $(date '+%Y-%m-%d %H:%M:%S %Z') workbench run"
  .venv/bin/workbench run && .venv/bin/workbench publish --to "$TARGET"
  status=$?
  echo "== $(date '+%Y-%m-%d %H:%M:%S %Z') exit $status"
} >"$LOG" 2>&1
status=$(tail -n 1 "$LOG" | sed 's/.*exit //')
find "$PROJECT/reports/logs" -name 'run-*.log' -mtime +"$KEEP_DAYS" -delete
[ "$status" = 0 ] || echo "workbench run failed (exit $status): see $LOG" >&2
exit "$status"
