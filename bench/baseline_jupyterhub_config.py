# Baseline for bench/spawn.py: plain DockerSpawner as in JupyterHub's reference Docker
# deployment (jupyterhub-deploy-docker): same lab image, an ordinary bridge network, no
# limits, no hardening, no volumes. Mounted into the hub image by the benchmark only.
import os

c = get_config()  # noqa: F821
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = os.environ["BENCH_LAB_IMAGE"]
c.DockerSpawner.network_name = os.environ["BENCH_NETWORK"]
c.DockerSpawner.use_internal_ip = True
c.DockerSpawner.remove = True
c.DockerSpawner.prefix = os.environ["BENCH_PREFIX"]
c.DockerSpawner.pull_policy = "never"
c.JupyterHub.hub_ip = "0.0.0.0"
c.JupyterHub.hub_connect_ip = os.environ["BENCH_HUB_NAME"]
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.db_url = "sqlite:////tmp/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "/tmp/jupyterhub_cookie_secret"
c.JupyterHub.services = [{"name": "bench", "api_token": os.environ["BENCH_TOKEN"]}]
c.JupyterHub.load_roles = [{"name": "bench", "services": ["bench"],
                            "scopes": ["admin:users", "admin:servers", "list:users", "read:users", "read:servers"]}]
