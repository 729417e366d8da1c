"""pipeline/metrics"""
