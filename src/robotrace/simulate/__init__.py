"""A synthetic telephone network with robocall campaigns, CDRs and ground truth."""
