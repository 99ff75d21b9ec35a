# Static server for the chat widget and the demo club site (Python + PyYAML, no Node needed).
FROM python:3.10-slim
WORKDIR /app
RUN pip install --no-cache-dir PyYAML==6.0.3
COPY web web
# the level labels and advice, the summary's words and the warning signs the widget shows come
# from here (web/build.py)
COPY data/guidance.yml data/summary_words.yml data/red_flags.yml data/
COPY content_schema content_schema
RUN python web/build.py
EXPOSE 8080
CMD ["python", "web/serve.py"]
