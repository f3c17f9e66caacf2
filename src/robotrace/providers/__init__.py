"""The provider registry: who is who in the voice network (FCC Robocall Mitigation Database)."""
