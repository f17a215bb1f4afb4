"""The full-stack benchmark: the stats endpoints as deployed against a bare Flask app
(`python -m bench.fullstack`); `bench.fullstack.profile` calls both in-process and profiles them."""
