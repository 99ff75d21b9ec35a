# Rasa server: NLU + dialogue, REST and socket.io channels, HTTP API.
FROM python:3.10-slim
WORKDIR /app
COPY requirements/rasa.lock.txt requirements/rasa.lock.txt
RUN pip install --no-cache-dir -r requirements/rasa.lock.txt
COPY scripts/build_spacy_pipeline.py scripts/
COPY rasa_project rasa_project
# Content the NLU components read at run time: red-flag phrases, intent-guard words,
# exercise names (data/*.yml).
COPY data data
COPY content_schema content_schema
# the app settings, SQLite set-up, plain-SQL engine and media store layout the connectors share
# with the action server, and the clinic's side (the summary PDF they serve and send, the
# helpdesk deliveries and webhook)
COPY kneeapp/__init__.py kneeapp/settings.py kneeapp/rasa_api.py kneeapp/
COPY kneeapp/store/__init__.py kneeapp/store/sqlite_pragmas.py kneeapp/store/plain_sql.py \
     kneeapp/store/media.py kneeapp/store/
COPY kneeapp/clinic kneeapp/clinic
# the launcher: the same role commands as `make run` / `make cluster` (scripts/topology.py)
COPY scripts/launch.py scripts/topology.py scripts/supervise.py scripts/nginx_conf.py scripts/
COPY deploy deploy
RUN python scripts/build_spacy_pipeline.py rasa_project/spacy_pipeline/en_knee
WORKDIR /app/rasa_project
ENV PYTHONPATH=/app/rasa_project:/app
RUN rasa train --fixed-model-name knee --out models && ln -s knee.tar.gz models/current.tar.gz
WORKDIR /app
EXPOSE 5005
# needs RASA_TOKEN (or RASA_JWT_SECRET): the HTTP API is never left open
CMD ["python", "scripts/launch.py", "role", "rasa"]
