"""The guide's two ``views.py`` snippets, verbatim and in the guide's order: the synchronous
views (send_welcome_email, generate_report) and the status endpoint (job_status), which the
guide writes without imports of its own because it shares the first snippet's.

The guide's async view lives in ``async_views.py``: it is a separate snippet with its own
imports."""

# ruff: noqa: I001
# I001: the guide's import order is kept.

# The guide's code below is kept exactly as written, layout included (ruff format would
# re-wrap it); the formatter is off from here on.
# fmt: off

from django.http import JsonResponse
from django.views.decorators.http import require_POST
from django.contrib.auth.decorators import login_required
from .queue import sync_client
from gopherqueue import APIConnectionError, JobNotFoundError, ValidationError  # not in the guide

@login_required
@require_POST
def send_welcome_email(request):
    """Trigger welcome email job."""
    job = sync_client.submit(
        job_type="send_email",
        payload={
            "template": "welcome",
            "user_id": request.user.id,
            "email": request.user.email,
        },
        priority=1,  # High priority
        idempotency_key=f"welcome-{request.user.id}"  # Prevent duplicates
    )
    return JsonResponse({
        "status": "queued",
        "job_id": job.id,
        "message": "Email will be sent shortly"
    })

@login_required
@require_POST
def generate_report(request):
    """Generate PDF report in background."""
    import json
    data = json.loads(request.body)

    job = sync_client.submit(
        job_type="generate_report",
        payload={
            "report_type": data.get("type", "monthly"),
            "user_id": request.user.id,
            "filters": data.get("filters", {}),
        },
        priority=3,  # Low priority (batch work)
        timeout="10m",  # Allow up to 10 minutes
    )
    return JsonResponse({"job_id": job.id})

def job_status(request, job_id):
    """API endpoint for frontend to poll job status."""
    try:
        job = sync_client.get(job_id)
        return JsonResponse({
            "id": job.id,
            "state": job.state,
            "progress": job.progress,
            "result": job.result if job.state == "completed" else None,
            "error": job.result.get("error") if job.state == "failed" else None
        })
    # Changed from the guide, which answers every exception with 404: only an unknown job is a
    # 404; a malformed id is the caller's mistake (400) and an unreachable queue is ours (503).
    except JobNotFoundError:
        return JsonResponse({"error": "job not found"}, status=404)
    except ValidationError as e:
        return JsonResponse({"error": str(e)}, status=400)
    except APIConnectionError:
        return JsonResponse({"error": "the job queue is unreachable"}, status=503)
