# Action server: triage form, triage engine, guidance (and the video analysis core).
FROM python:3.10-slim
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/actions.lock.txt requirements/actions.lock.txt
RUN pip install --no-cache-dir -r requirements/actions.lock.txt
COPY actions actions
COPY analysis_core analysis_core
COPY data data
EXPOSE 5055
CMD ["python", "-m", "rasa_sdk", "--actions", "actions", "-p", "5055"]
