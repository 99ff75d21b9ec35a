# Static server for the chat widget and the demo club site (stdlib Python, no Node needed).
FROM python:3.10-slim
WORKDIR /app
COPY web web
RUN python web/build.py
EXPOSE 8080
CMD ["python", "web/serve.py"]
