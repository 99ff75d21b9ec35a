# Action server and analysis worker (same image, different command): triage form, triage
# engine, guidance, persistence, jobs and the video analysis core.
FROM python:3.10-slim
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/actions.lock.txt requirements/actions.lock.txt
RUN pip install --no-cache-dir -r requirements/actions.lock.txt
COPY actions actions
COPY kneeapp kneeapp
COPY analysis_core analysis_core
COPY data data
COPY content_schema content_schema
# Shared with the Rasa server (stdlib + PyYAML only): the upload-token module, and the
# extractor's typo correction and the guard's intent names that the answer reader uses.
COPY rasa_project/__init__.py rasa_project/__init__.py
COPY rasa_project/connectors rasa_project/connectors
COPY rasa_project/components rasa_project/components
# the launcher: the same role commands as `make run` / `make cluster` (scripts/topology.py)
COPY scripts/launch.py scripts/topology.py scripts/supervise.py scripts/nginx_conf.py scripts/
COPY deploy deploy
ENV PYTHONPATH=/app
EXPOSE 5055
CMD ["python", "scripts/launch.py", "role", "actions"]

