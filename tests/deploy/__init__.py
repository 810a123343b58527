"""Deploy tier: the files under deploy/, docker-compose.yml and the Dockerfile, checked without the running stack."""
