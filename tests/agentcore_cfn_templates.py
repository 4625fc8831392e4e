"""Literal CloudFormation templates of an AgentCore agent, in the shape AWS's samples deploy
(awslabs/amazon-bedrock-agentcore-samples, 04-infrastructure-as-code/cloudformation: an ECR repository, a role with
trust and inline policy, a Runtime with a container URI and environment variables) plus a memory and a managed
policy of the stack. YAML with short-form intrinsics, and the same template in JSON with their long form.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ACCOUNT, REGION = "111122223333", "eu-west-1"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CDK_TEMPLATE = FIXTURES / "cdk_weather_agent.template.json"
MODEL = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
STACK_REPO = "cfnstack-agent"  # ${AWS::StackName}-agent, the stack's name chosen at deploy
STACK_MEMORY_ID = "weather_agent_memory-cfnrandom"

# The role grants what RUNTIME-NEEDS.md lists for a container agent with memory that calls MODEL (a global
# inference profile: the profile, the model in the region and region-less).
LOGS = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group"
BEDROCK = "arn:${AWS::Partition}:bedrock"
YAML = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: A weather agent on AgentCore Runtime
Parameters:
  AgentName:
    Type: String
    Default: weather_agent
  ModelId:
    Type: String
    Default: global.anthropic.claude-sonnet-4-5-20250929-v1:0
Resources:
  AgentRepository:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: !Sub "${{AWS::StackName}}-agent"
  AgentMemory:
    Type: AWS::BedrockAgentCore::Memory
    Properties:
      Name: !Sub "${{AgentName}}_memory"
      EventExpiryDuration: 30
  AgentRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: bedrock-agentcore.amazonaws.com
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                aws:SourceAccount: !Ref AWS::AccountId
              ArnLike:
                aws:SourceArn: !Sub "arn:${{AWS::Partition}}:bedrock-agentcore:${{AWS::Region}}:${{AWS::AccountId}}:*"
      Policies:
        - PolicyName: AgentCoreRuntime
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: ECRImageAccess
                Effect: Allow
                Action: [ecr:BatchGetImage, ecr:GetDownloadUrlForLayer]
                Resource: !GetAtt AgentRepository.Arn
              - Sid: ECRToken
                Effect: Allow
                Action: ecr:GetAuthorizationToken
                Resource: "*"
              - Effect: Allow
                Action: [logs:CreateLogGroup, logs:DescribeLogStreams]
                Resource: !Sub "{LOGS}:/aws/bedrock-agentcore/runtimes/*"
              - Effect: Allow
                Action: logs:DescribeLogGroups
                Resource: !Sub "{LOGS}:*"
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !Sub "{LOGS}:/aws/bedrock-agentcore/runtimes/*:log-stream:*"
              - Effect: Allow
                Action:
                  [xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules, xray:GetSamplingTargets]
                Resource: "*"
              - Effect: Allow
                Action: cloudwatch:PutMetricData
                Resource: "*"
                Condition:
                  StringEquals:
                    cloudwatch:namespace: bedrock-agentcore
              - Sid: Model
                Effect: Allow
                Action: [bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream]
                Resource:
                  - !Sub "{BEDROCK}:${{AWS::Region}}:${{AWS::AccountId}}:inference-profile/${{ModelId}}"
                  - !Sub "{BEDROCK}:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"
  MemoryAccess:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref AgentRole]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action:
              - bedrock-agentcore:CreateEvent
              - bedrock-agentcore:ListEvents
              - bedrock-agentcore:GetEvent
              - bedrock-agentcore:RetrieveMemoryRecords
            Resource: !GetAtt AgentMemory.MemoryArn
  AgentRuntime:
    Type: AWS::BedrockAgentCore::Runtime
    Properties:
      AgentRuntimeName: !Ref AgentName
      AgentRuntimeArtifact:
        ContainerConfiguration:
          ContainerUri: !Sub "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.amazonaws.com/${{AgentRepository}}:latest"
      RoleArn: !GetAtt AgentRole.Arn
      NetworkConfiguration:
        NetworkMode: PUBLIC
      ProtocolConfiguration: HTTP
      EnvironmentVariables:
        MEMORY_ID: !GetAtt AgentMemory.MemoryId
        MODEL_ID: !Ref ModelId
"""


def _sub(text: str) -> dict[str, Any]:
    return {"Fn::Sub": text}


def json_template() -> dict[str, Any]:
    """The YAML above, in JSON's long-form intrinsics (Fn::GetAtt as a list, Ref objects)."""
    logs = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
    runtime_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ECRImageAccess",
                "Effect": "Allow",
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                "Resource": {"Fn::GetAtt": ["AgentRepository", "Arn"]},
            },
            {"Sid": "ECRToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:DescribeLogStreams"],
                "Resource": _sub(logs + "/aws/bedrock-agentcore/runtimes/*"),
            },
            {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": _sub(logs + "*")},
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": _sub(logs + "/aws/bedrock-agentcore/runtimes/*:log-stream:*"),
            },
            {
                "Effect": "Allow",
                "Action": [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": "bedrock-agentcore"}},
            },
            {
                "Sid": "Model",
                "Effect": "Allow",
                "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                "Resource": [
                    _sub("arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/${ModelId}"),
                    _sub("arn:${AWS::Partition}:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"),
                ],
            },
        ],
    }
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                    "ArnLike": {
                        "aws:SourceArn": _sub(
                            "arn:${AWS::Partition}:bedrock-agentcore:${AWS::Region}:${AWS::AccountId}:*"
                        )
                    },
                },
            }
        ],
    }
    memory_actions = ["CreateEvent", "ListEvents", "GetEvent", "RetrieveMemoryRecords"]
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "A weather agent on AgentCore Runtime",
        "Parameters": {
            "AgentName": {"Type": "String", "Default": "weather_agent"},
            "ModelId": {"Type": "String", "Default": MODEL},
        },
        "Resources": {
            "AgentRepository": {
                "Type": "AWS::ECR::Repository",
                "Properties": {"RepositoryName": _sub("${AWS::StackName}-agent")},
            },
            "AgentMemory": {
                "Type": "AWS::BedrockAgentCore::Memory",
                "Properties": {"Name": _sub("${AgentName}_memory"), "EventExpiryDuration": 30},
            },
            "AgentRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": trust,
                    "Policies": [{"PolicyName": "AgentCoreRuntime", "PolicyDocument": runtime_policy}],
                },
            },
            "MemoryAccess": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "Roles": [{"Ref": "AgentRole"}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [f"bedrock-agentcore:{a}" for a in memory_actions],
                                "Resource": {"Fn::GetAtt": ["AgentMemory", "MemoryArn"]},
                            }
                        ],
                    },
                },
            },
            "AgentRuntime": {
                "Type": "AWS::BedrockAgentCore::Runtime",
                "Properties": {
                    "AgentRuntimeName": {"Ref": "AgentName"},
                    "AgentRuntimeArtifact": {
                        "ContainerConfiguration": {
                            "ContainerUri": _sub(
                                "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/${AgentRepository}:latest"
                            )
                        }
                    },
                    "RoleArn": {"Fn::GetAtt": ["AgentRole", "Arn"]},
                    "NetworkConfiguration": {"NetworkMode": "PUBLIC"},
                    "ProtocolConfiguration": "HTTP",
                    "EnvironmentVariables": {
                        "MEMORY_ID": {"Fn::GetAtt": ["AgentMemory", "MemoryId"]},
                        "MODEL_ID": {"Ref": "ModelId"},
                    },
                },
            },
        },
    }


def write(folder: Path, name: str, content: str | dict[str, Any]) -> str:
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=1), encoding="utf-8")
    return str(path)
