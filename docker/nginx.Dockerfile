# The public entry of docker-compose.yml: nginx with deploy/nginx.compose.conf (rendered from
# deploy/nginx.conf.template) serving the demo site and the widget, proxying socket.io and
# /webhooks/ to the Rasa instances. The site is exported at build time by the same code as
# `make cluster` (scripts/launch.py role export-site); PUBLIC_URL is where browsers reach it.
FROM python:3.10-slim AS site
WORKDIR /app
RUN pip install --no-cache-dir PyYAML==6.0.3
COPY web web
COPY data/guidance.yml data/summary_words.yml data/red_flags.yml data/
COPY content_schema content_schema
COPY kneeapp/__init__.py kneeapp/settings.py kneeapp/rasa_api.py kneeapp/
COPY scripts/launch.py scripts/topology.py scripts/supervise.py scripts/nginx_conf.py scripts/
COPY deploy deploy
ARG PUBLIC_URL=http://127.0.0.1:8000
RUN BOT_URL="$PUBLIC_URL" python scripts/launch.py role export-site /site

FROM nginx:1.27
RUN mkdir -p /var/lib/nginx && chown nginx /var/lib/nginx
COPY --from=site /site /srv/site
COPY deploy/nginx.compose.conf /etc/nginx/knee.conf
USER nginx
