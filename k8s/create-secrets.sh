#!/bin/sh
# Prints the CareAtlas Secrets as manifests, from the env file that docker compose uses:
#   k8s/create-secrets.sh .env [NAMESPACE] | kubectl apply -f -
# careatlas-redis  REDIS_PASSWORD and the three redis:// URLs built from it (databases 0/1/2,
#                  the broker's is the one KEDA watches)
# careatlas-census CAREATLAS_CENSUS_API_KEY
# careatlas-s3     the lake's keys; skipped when both are empty (workload identity)
# Values go through a private temporary file, never the command line (visible in `ps`).
set -eu

env_file=${1:?usage: create-secrets.sh ENV_FILE [NAMESPACE]}
namespace=${2:-careatlas}
[ -r "$env_file" ] || { echo "create-secrets.sh: cannot read $env_file" >&2; exit 1; }

# the last KEY=value line for $1, one pair of surrounding quotes removed
value() {
    sed -n "s/^[[:space:]]*$1=//p" "$env_file" | tail -n 1 |
        sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/"
}

require() {
    v=$(value "$1")
    case "$v" in
        "") echo "create-secrets.sh: $1 is missing or empty in $env_file" >&2; exit 1 ;;
        change-me*) echo "create-secrets.sh: $1 still has its example value in $env_file" >&2; exit 1 ;;
    esac
    printf '%s' "$v"
}

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
umask 077

secret() {  # NAME: turns $workdir/NAME.env into a Secret manifest on stdout
    echo "---"
    kubectl create secret generic "$1" --namespace "$namespace" \
        --from-env-file="$workdir/$1.env" --dry-run=client -o yaml
}

# every value is checked before anything is printed: a half-written set is never applied
password=$(require REDIS_PASSWORD)
case "$password" in
    *[!A-Za-z0-9]*) echo "create-secrets.sh: REDIS_PASSWORD must be letters and digits (it goes into URLs)" >&2; exit 1 ;;
esac
census_key=$(require CENSUS_API_KEY)
key_id=$(value S3_ACCESS_KEY_ID)
secret_key=$(value S3_SECRET_ACCESS_KEY)
if [ -n "$key_id" ] || [ -n "$secret_key" ]; then
    key_id=$(require S3_ACCESS_KEY_ID)
    secret_key=$(require S3_SECRET_ACCESS_KEY)
fi

{
    echo "REDIS_PASSWORD=$password"
    echo "CAREATLAS_BROKER_URL=redis://:$password@redis:6379/0"
    echo "CAREATLAS_RESULT_BACKEND=redis://:$password@redis:6379/1"
    echo "CAREATLAS_REDIS_URL=redis://:$password@redis:6379/2"
} > "$workdir/careatlas-redis.env"
secret careatlas-redis

echo "CAREATLAS_CENSUS_API_KEY=$census_key" > "$workdir/careatlas-census.env"
secret careatlas-census

if [ -z "$key_id" ]; then
    echo "create-secrets.sh: no S3 keys: careatlas-s3 skipped (workload identity)" >&2
else
    {
        echo "CAREATLAS_S3_ACCESS_KEY_ID=$key_id"
        echo "CAREATLAS_S3_SECRET_ACCESS_KEY=$secret_key"
    } > "$workdir/careatlas-s3.env"
    secret careatlas-s3
fi
